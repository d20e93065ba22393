import type { Agent } from 'node:http';
import type { Credentials } from '../credentials.js';
import type { ProxySettings } from '../http/proxy-from-environment.js';
import type { RoutingAgent } from '../http/routing-agent.js';
import type { HttpResponse } from '../http/transport.js';
import { isInstanceMetadata } from './instance-metadata.js';
import { RegistryResponseError } from '../registry-errors.js';
import type { OciProvider } from '../../provider.js';

/** A cloud whose own identity logs in to its registries (Flux's `--provider`). */
export type CloudProvider = Exclude<OciProvider, 'generic'>;

/** Credentials a cloud issued, and when it says they stop working. */
export interface ExpiringCredentials {
  readonly credentials: Credentials;
  /** Milliseconds since the epoch. */
  readonly expiresAt: number;
}

/** The one HTTP call a login makes to the registry itself (ACR's token exchange). */
export type PostForm = (
  url: string,
  form: Readonly<Record<string, string>>,
  signal?: AbortSignal,
) => Promise<HttpResponse>;

/** How a login reaches the cloud: the registry's proxy settings, the registry's transport. */
export interface CloudNetwork {
  /** The one HTTP call to the registry itself, through its transport. */
  readonly postForm: PostForm;
  /**
   * The agent the cloud's SDK sends with: directly or through the proxy the registry's
   * transport would take for the same URL (HTTPS_PROXY, HTTP_PROXY, NO_PROXY of the client's
   * env, loopback never), instance metadata always directly. Loaded at the first call.
   */
  agent(): Promise<Agent>;
}

/** How one cloud logs in to one of its registries. */
export interface CloudLoginMethod {
  readonly provider: CloudProvider;
  readonly registry: string;
  /** Registries sharing this key share one token in the process (one region, one cloud). */
  readonly cacheKey: string;
  /** Who the credentials are, for messages: never the secret. */
  readonly identity: string;
  /** What to check when the registry refuses a fresh token: the identity's permissions. */
  readonly permissionsHint: string;
  /** Asks the cloud's SDK (loaded now, not at start-up) for new credentials. */
  fetch(network: CloudNetwork, signal?: AbortSignal): Promise<ExpiringCredentials>;
}

/** Renew this long before the cloud's expiry, at most; a fifth of a short lifetime. */
const RENEW_MARGIN_MS = 5 * 60_000;

interface CachedLogin extends ExpiringCredentials {
  /** After this, fetch new credentials before using them. */
  readonly renewAt: number;
}

/** A login of the cache: under way until `settled` is set. */
interface CacheEntry {
  readonly login: Promise<CachedLogin>;
  settled?: CachedLogin;
}

/** Credentials per cache key, for the whole process: every client and operation shares them. */
const cache = new Map<string, CacheEntry>();

/**
 * A registry login through a cloud's identity: fetches credentials with the cloud's SDK,
 * keeps them for the process and fetches new ones before they expire, or when the registry
 * refused them (`renew`). The credentials are only ever held in memory.
 */
export class CloudLogin {
  private routing: Promise<RoutingAgent> | undefined;

  constructor(
    private readonly method: CloudLoginMethod,
    /** The registry client's proxy settings, which the cloud's SDK follows too. */
    private readonly proxy?: ProxySettings,
  ) {}

  get provider(): CloudProvider {
    return this.method.provider;
  }

  get identity(): string {
    return this.method.identity;
  }

  get permissionsHint(): string {
    return this.method.permissionsHint;
  }

  /** Credentials for the registry: cached ones while they are fresh, else new ones. */
  async credentials(postForm: PostForm, signal?: AbortSignal): Promise<Credentials> {
    const key = this.method.cacheKey;
    const cached = cache.get(key);
    if (cached) {
      const login = await cached.login.catch(() => undefined);
      if (login && Date.now() < login.renewAt) return login.credentials;
      if (cache.get(key) === cached) cache.delete(key);
    }
    let entry = cache.get(key);
    if (!entry) {
      const network = { postForm, agent: () => this.agent() };
      const login = this.method.fetch(network, signal).then((fetched) => {
        const now = Date.now();
        const margin = Math.min(RENEW_MARGIN_MS, Math.max(0, fetched.expiresAt - now) / 5);
        return { ...fetched, renewAt: fetched.expiresAt - margin };
      });
      const started: CacheEntry = { login };
      entry = started;
      cache.set(key, started);
      login.then(
        (settled) => (started.settled = settled),
        // A failed login is not kept: the next operation asks again.
        () => {
          if (cache.get(key) === started) cache.delete(key);
        },
      );
    }
    return (await entry.login).credentials;
  }

  private agent(): Promise<RoutingAgent> {
    // Loaded with the first login: agent-base and the pool are for cloud logins only.
    this.routing ??= import('../http/routing-agent.js').then(
      ({ RoutingAgent }) => new RoutingAgent(this.proxy, isInstanceMetadata),
    );
    return this.routing;
  }

  /** Closes the connections the cloud's SDK used. */
  async close(): Promise<void> {
    const routing = this.routing;
    this.routing = undefined;
    if (routing) await (await routing).close();
  }

  /**
   * Forgets the cached credentials: the registry refused them (expired early, revoked). A
   * login still under way is kept: it started after the refused credentials were handed
   * out, so requests refused together share the one new login.
   */
  renew(): void {
    const key = this.method.cacheKey;
    if (cache.get(key)?.settled) cache.delete(key);
  }

  /**
   * The registry refused credentials fetched just now, with `status` (401, 403) and its
   * error `code` (`UNAUTHORIZED`, `DENIED`, ...), as any other registry refusal.
   */
  rejected(refusal: Pick<RegistryResponseError, 'status' | 'code'>): RegistryResponseError {
    const { provider, registry, identity, permissionsHint } = this.method;
    const { status, code } = refusal;
    return new RegistryResponseError(
      `provider ${provider}: registry ${registry} refused ${identity} (${status}), also with new credentials: ${permissionsHint}`,
      { status, body: Buffer.alloc(0) },
      code,
    );
  }
}

/** For tests of renewal: forget every cached login of this process. */
export function clearCloudLogins(): void {
  cache.clear();
}
