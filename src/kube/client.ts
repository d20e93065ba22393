import http from 'node:http';
import https from 'node:https';
import { setTimeout as sleep } from 'node:timers/promises';
import type { KubeConfig } from '@kubernetes/client-node';
import { UserError } from '../errors.js';
import { ApiResources, discoveryPath, type ApiResource } from './discovery.js';
import { isNotFound, KubeApiError, kubeApiErrorFrom } from './api-error.js';
import { formatRef, toRef, type KubeObject, type ObjectTarget } from './object.js';

/** Answers worth another try: throttling and a briefly unavailable API server. */
const retryableStatusCodes = new Set([429, 502, 503, 504]);
/** Connections dropped under us (a pooled keep-alive socket the server closed) or refused. */
const retryableNetworkCodes = new Set(['ECONNRESET', 'EPIPE', 'ECONNREFUSED', 'ETIMEDOUT']);
/** Every call is idempotent (GET, apply, merge patch, DELETE), so each may be tried again. */
const maxAttempts = 3;

function backoffMs(attempt: number): number {
  return 250 * 2 ** (attempt - 1);
}

export interface KubeClientOptions {
  /**
   * Time allowed for one API request.
   * @default 30000
   */
  readonly requestTimeoutMs?: number;
}

export interface RequestOptions {
  readonly query?: Record<string, string | undefined>;
  readonly body?: unknown;
  /** @default 'application/json' */
  readonly contentType?: string;
}

export interface ListObjectsOptions {
  /** Omit for cluster-scoped kinds or to list across all namespaces. */
  readonly namespace?: string;
  readonly labelSelector?: string;
}

export interface WriteOptions {
  /** Validate and compute the result on the server without persisting it. */
  readonly dryRun?: boolean;
}

/**
 * A small Kubernetes REST client over the kubeconfig's connection and credentials. It sends
 * and returns objects as plain JSON: unlike the generated typed models, nothing unknown to the
 * client library is dropped, so an applied object reaches the server exactly as written.
 */
export class KubeClient {
  readonly server: string;
  /** The kubeconfig context's namespace, for namespaced objects that name none. */
  readonly defaultNamespace: string;
  private readonly resources: ApiResources;
  private readonly requestTimeoutMs: number;
  private agent: http.Agent | undefined;

  constructor(
    private readonly kubeConfig: KubeConfig,
    options: KubeClientOptions = {},
  ) {
    const cluster = kubeConfig.getCurrentCluster();
    if (!cluster) throw new UserError('the kubeconfig has no current cluster: pass --context');
    this.server = cluster.server.replace(/\/+$/, '');
    const context = kubeConfig.getContextObject(kubeConfig.getCurrentContext());
    this.defaultNamespace = context?.namespace || 'default';
    this.requestTimeoutMs = options.requestTimeoutMs ?? 30_000;
    this.resources = new ApiResources((path) => this.discover(path));
  }

  /**
   * One API call, tried again on throttling, gateway errors and dropped connections; throws
   * KubeApiError for any other non-2xx answer, UserError when the server cannot be reached.
   */
  async request<T>(method: string, path: string, options: RequestOptions = {}): Promise<T> {
    const url = new URL(this.server + path);
    for (const [key, value] of Object.entries(options.query ?? {})) {
      if (value !== undefined) url.searchParams.set(key, value);
    }
    const requestOptions: https.RequestOptions = { method, headers: {} };
    // Credentials are applied on every call (exec plugins and token files refresh them).
    await this.kubeConfig.applyToHTTPSOptions(requestOptions);
    requestOptions.agent = this.connectionPool(requestOptions);
    const body = options.body === undefined ? undefined : JSON.stringify(options.body);
    requestOptions.headers = {
      ...requestOptions.headers,
      Accept: 'application/json',
      ...(body === undefined
        ? {}
        : {
            'Content-Type': options.contentType ?? 'application/json',
            'Content-Length': Buffer.byteLength(body),
          }),
    };
    for (let attempt = 1; ; attempt++) {
      // Not `instanceof Error`: errors from Node's sockets may come from another realm.
      const outcome = await this.exchange(url, requestOptions, body).then(
        (answer) => ({ answer, failure: undefined }),
        (failure: NodeJS.ErrnoException) => ({ answer: undefined, failure }),
      );
      const last = attempt === maxAttempts;
      if (!outcome.answer) {
        const { failure } = outcome;
        if (!last && retryableNetworkCodes.has(failure.code ?? '')) {
          await sleep(backoffMs(attempt));
          continue;
        }
        throw new UserError(`cannot reach ${this.server} (${method} ${path}): ${failure.message}`);
      }
      const { answer } = outcome;
      if (!last && retryableStatusCodes.has(answer.statusCode)) {
        await sleep(answer.retryAfterMs ?? backoffMs(attempt));
        continue;
      }
      if (answer.statusCode < 200 || answer.statusCode > 299) {
        throw kubeApiErrorFrom(answer.statusCode, answer.text, method, url.pathname);
      }
      return (answer.text ? JSON.parse(answer.text) : undefined) as T;
    }
  }

  // One HTTP exchange; rejects with the socket's error (its `code` says whether to retry).
  private exchange(url: URL, options: https.RequestOptions, body: string | undefined) {
    const send = url.protocol === 'http:' ? http.request : https.request;
    return new Promise<{ statusCode: number; text: string; retryAfterMs?: number }>(
      (resolve, reject) => {
        const req = send(url, options, (res) => {
          const chunks: Buffer[] = [];
          res.on('data', (chunk: Buffer) => chunks.push(chunk));
          res.on('end', () => {
            const retryAfter = Number(res.headers['retry-after']);
            resolve({
              statusCode: res.statusCode ?? 0,
              text: Buffer.concat(chunks).toString(),
              retryAfterMs: Number.isFinite(retryAfter)
                ? Math.min(retryAfter, 5) * 1000
                : undefined,
            });
          });
          res.on('error', reject);
        });
        req.setTimeout(this.requestTimeoutMs, () =>
          req.destroy(new Error(`no answer within ${this.requestTimeoutMs / 1000}s`)),
        );
        req.on('error', reject);
        req.end(body);
      },
    );
  }

  // One keep-alive agent for all calls (its client certificate is read once): without it
  // every request pays a TLS handshake. Idle pooled sockets are unref'd by Node, so they never
  // keep the process alive. A proxy keeps the agent the kubeconfig asked for.
  private connectionPool(options: https.RequestOptions): http.Agent | undefined {
    if (this.kubeConfig.getCurrentCluster()?.proxyUrl) {
      return options.agent instanceof http.Agent ? options.agent : undefined;
    }
    this.agent ??= this.server.startsWith('http:')
      ? new http.Agent({ keepAlive: true })
      : new https.Agent({
          keepAlive: true,
          ca: options.ca,
          cert: options.cert,
          key: options.key,
          rejectUnauthorized: options.rejectUnauthorized,
          servername: options.servername,
        });
    return this.agent;
  }

  /** The REST resource for a kind; undefined when the cluster does not serve it. */
  resourceFor(apiVersion: string, kind: string): Promise<ApiResource | undefined> {
    return this.resources.find(apiVersion, kind);
  }

  /** `/apis/<group>/<version>[/namespaces/<ns>]/<plural>`. */
  async collectionPath(apiVersion: string, kind: string, namespace?: string): Promise<string> {
    const resource = await this.resourceFor(apiVersion, kind);
    if (!resource) {
      throw new UserError(
        `the cluster does not serve ${kind} in ${apiVersion}: install its CustomResourceDefinition ` +
          'first, or check the apiVersion',
      );
    }
    const scope =
      resource.namespaced && namespace ? `/namespaces/${encodeURIComponent(namespace)}` : '';
    return `${discoveryPath(apiVersion)}${scope}/${resource.name}`;
  }

  async objectPath(target: ObjectTarget): Promise<string> {
    const ref = toRef(target);
    const resource = await this.resourceFor(ref.apiVersion, ref.kind);
    if (resource?.namespaced && !ref.namespace) {
      throw new UserError(`${formatRef(ref)} is namespaced but names no namespace`);
    }
    const namespace = resource?.namespaced ? ref.namespace : undefined;
    const collection = await this.collectionPath(ref.apiVersion, ref.kind, namespace);
    return `${collection}/${encodeURIComponent(ref.name)}`;
  }

  /** The object as stored, or undefined when it does not exist. */
  async get(target: ObjectTarget): Promise<KubeObject | undefined> {
    try {
      return await this.request<KubeObject>('GET', await this.objectPath(target));
    } catch (error) {
      if (isNotFound(error)) return undefined;
      throw error;
    }
  }

  async list(
    apiVersion: string,
    kind: string,
    options: ListObjectsOptions = {},
  ): Promise<KubeObject[]> {
    const path = await this.collectionPath(apiVersion, kind, options.namespace);
    const objects: KubeObject[] = [];
    let continueToken: string | undefined;
    do {
      const page = await this.request<{ items: KubeObject[]; metadata?: { continue?: string } }>(
        'GET',
        path,
        { query: { labelSelector: options.labelSelector, limit: '500', continue: continueToken } },
      );
      // List items carry no apiVersion/kind; put them back so they can be written again.
      for (const item of page.items) objects.push({ ...item, apiVersion, kind });
      continueToken = page.metadata?.continue || undefined;
    } while (continueToken);
    return objects;
  }

  /** Server-side apply (`kubectl apply --server-side`). */
  async apply(
    object: KubeObject,
    options: WriteOptions & { readonly fieldManager: string; readonly force: boolean },
  ): Promise<KubeObject> {
    return this.request<KubeObject>('PATCH', await this.objectPath(object), {
      query: {
        fieldManager: options.fieldManager,
        force: String(options.force),
        dryRun: options.dryRun ? 'All' : undefined,
      },
      body: object,
      contentType: 'application/apply-patch+yaml',
    });
  }

  /** JSON merge patch of the object or one of its subresources (`status`). */
  async mergePatch(
    target: ObjectTarget,
    patch: unknown,
    options: WriteOptions & { readonly subresource?: string } = {},
  ): Promise<KubeObject> {
    const path =
      (await this.objectPath(target)) + (options.subresource ? `/${options.subresource}` : '');
    return this.request<KubeObject>('PATCH', path, {
      query: { dryRun: options.dryRun ? 'All' : undefined },
      body: patch,
      contentType: 'application/merge-patch+json',
    });
  }

  /**
   * Deletes with background propagation (dependents are garbage-collected afterwards).
   * Returns false when the object was already gone.
   */
  async delete(target: ObjectTarget, options: WriteOptions = {}): Promise<boolean> {
    try {
      await this.request('DELETE', await this.objectPath(target), {
        query: { dryRun: options.dryRun ? 'All' : undefined, propagationPolicy: 'Background' },
      });
      return true;
    } catch (error) {
      if (isNotFound(error)) return false;
      throw error;
    }
  }

  private async discover(path: string) {
    try {
      return await this.request<{
        resources: { name: string; kind: string; namespaced: boolean }[];
      }>('GET', path);
    } catch (error) {
      // A group version nobody serves (yet): no CRD for it.
      if (error instanceof KubeApiError && (error.statusCode === 404 || error.statusCode === 503)) {
        return undefined;
      }
      throw error;
    }
  }
}
