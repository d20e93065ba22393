import {
  createServer,
  request as httpRequest,
  type IncomingMessage,
  type ServerResponse,
} from 'node:http';
import type { AddressInfo } from 'node:net';

/** One request the proxy saw. */
export interface ProxiedRequest {
  /** 0-based position among all requests. */
  readonly index: number;
  readonly method: string;
  /** Path and query, as sent. */
  readonly url: string;
  readonly headers: Readonly<Record<string, string | string[] | undefined>>;
}

/**
 * What to do with a request instead of forwarding it:
 * - `{ status }`: answer with that status (and Retry-After) without asking the registry;
 * - `reset`: close the connection before the registry sees the request;
 * - `lose-response`: let the registry handle it, then close the connection unanswered
 *   (the write happened but the client cannot know);
 * - `cut-body`: let the registry answer, send the headers and half the body, then close the
 *   connection (a download broken midway);
 * - `stall-body`: let the registry answer, send the headers and half the body, then send
 *   nothing more (a download in progress, for interruption tests);
 * - `hang`: never answer (until the proxy stops), for timeout tests.
 */
export type Fault =
  | 'hang'
  | { readonly status: number; readonly retryAfter?: string }
  | 'reset'
  | 'lose-response'
  | 'cut-body'
  | 'stall-body';

export interface FaultProxyOptions {
  /** `host:port` of the registry behind the proxy (plain HTTP). */
  readonly target: string;
  /** Decides per request whether to inject a fault. @default forward everything */
  readonly fault?: (request: ProxiedRequest) => Fault | undefined;
  /** Rewrites the registry's response body (to serve corrupt content). @default unchanged */
  readonly tamper?: (request: ProxiedRequest, body: Buffer) => Buffer;
  /**
   * Accept monolithic uploads (`POST .../blobs/uploads/?digest=` with the blob as body,
   * answered 201), which distribution 2.8 does not: the proxy turns each into the POST +
   * PUT the registry understands, so clients can be tested on the spec's single-request path.
   * @default false
   */
  readonly monolithicUploads?: boolean;
  /**
   * Answer blob GETs with a 307 to this `host:port` (same path), as registries that serve
   * blobs from object storage do.
   * @default serve blobs
   */
  readonly redirectBlobsTo?: string;
}

interface UpstreamResponse {
  readonly status: number;
  readonly headers: Record<string, string | string[] | undefined>;
  readonly body: Buffer;
}

export interface FaultProxy {
  /** `127.0.0.1:<port>` */
  readonly host: string;
  /** Every request in arrival order, with what was done to it. */
  readonly log: (ProxiedRequest & { readonly outcome: string })[];
  /** Totals of what clients sent and received through the proxy. */
  readonly stats: { requests: number; bytesFromClients: number; bytesToClients: number };
  stop(): Promise<void>;
}

/**
 * An HTTP proxy in front of a plain-HTTP test registry that fails chosen requests, for
 * retry and atomicity tests, and counts traffic (for benchmarks of other clients). The
 * Host header is passed on unchanged, so the registry's Location headers point back at
 * the proxy.
 */
export async function startFaultProxy(options: FaultProxyOptions): Promise<FaultProxy> {
  const [targetHost, targetPort] = options.target.split(':');
  const log: (ProxiedRequest & { outcome: string })[] = [];
  const stats = { requests: 0, bytesFromClients: 0, bytesToClients: 0 };

  const handle = (req: IncomingMessage, res: ServerResponse): void => {
    const seen: ProxiedRequest = {
      index: stats.requests++,
      method: req.method ?? 'GET',
      url: req.url ?? '/',
      headers: req.headers,
    };
    const entry = { ...seen, outcome: 'forwarded' };
    log.push(entry);
    const fault = options.fault?.(seen);
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => {
      stats.bytesFromClients += chunk.length;
      chunks.push(chunk);
    });
    req.on('end', () => {
      if (fault === 'hang') {
        entry.outcome = 'hung';
        return;
      }
      if (fault === 'reset') {
        entry.outcome = 'reset';
        req.socket.destroy();
        return;
      }
      if (
        options.redirectBlobsTo &&
        req.method === 'GET' &&
        /\/blobs\/sha256:/.test(req.url ?? '')
      ) {
        entry.outcome = 'redirected';
        res.writeHead(307, { location: `http://${options.redirectBlobsTo}${req.url}` });
        res.end();
        return;
      }
      if (fault && typeof fault === 'object') {
        entry.outcome = String(fault.status);
        res.writeHead(fault.status, {
          'content-type': 'application/json',
          ...(fault.retryAfter ? { 'retry-after': fault.retryAfter } : {}),
        });
        res.end(JSON.stringify({ errors: [{ code: 'UNAVAILABLE', message: 'injected fault' }] }));
        return;
      }
      const monolithic =
        options.monolithicUploads &&
        req.method === 'POST' &&
        /\/blobs\/uploads\/\?(.*&)?digest=/.test(req.url ?? '') &&
        chunks.length > 0;
      if (monolithic) {
        entry.outcome = 'monolithic';
        void uploadInTwo(req.url ?? '', req.headers, Buffer.concat(chunks)).then(
          (up) => {
            res.writeHead(up.status, up.headers);
            res.end(up.body);
          },
          () => req.socket.destroy(),
        );
        return;
      }
      const upstream = httpRequest(
        {
          host: targetHost,
          port: Number(targetPort),
          method: req.method,
          path: req.url,
          headers: req.headers,
        },
        (up) => {
          const body: Buffer[] = [];
          up.on('data', (chunk: Buffer) => body.push(chunk));
          up.on('end', () => {
            if (fault === 'lose-response') {
              entry.outcome = 'lost response';
              req.socket.destroy();
              return;
            }
            let out: Buffer = Buffer.concat(body);
            if (options.tamper) out = options.tamper(seen, out);
            const headers = { ...up.headers };
            if (headers['content-length'] !== undefined && req.method !== 'HEAD') {
              headers['content-length'] = String(out.length);
            }
            res.writeHead(up.statusCode ?? 502, headers);
            if (fault === 'cut-body') {
              entry.outcome = 'cut body';
              const half = out.subarray(0, Math.floor(out.length / 2));
              stats.bytesToClients += half.length;
              res.write(half, () => req.socket.destroy());
              return;
            }
            if (fault === 'stall-body') {
              entry.outcome = 'stalled body';
              const half = out.subarray(0, Math.floor(out.length / 2));
              stats.bytesToClients += half.length;
              res.write(half);
              return;
            }
            stats.bytesToClients += out.length;
            res.end(out);
          });
        },
      );
      upstream.on('error', () => req.socket.destroy());
      upstream.end(Buffer.concat(chunks));
    });
  };

  const send = (
    method: string,
    path: string,
    headers: IncomingMessage['headers'],
    body: Buffer,
  ): Promise<UpstreamResponse> =>
    new Promise((resolve, reject) => {
      const upstream = httpRequest(
        {
          host: targetHost,
          port: Number(targetPort),
          method,
          path,
          headers: { ...headers, 'content-length': String(body.length) },
        },
        (up) => {
          const parts: Buffer[] = [];
          up.on('data', (chunk: Buffer) => parts.push(chunk));
          up.on('end', () =>
            resolve({
              status: up.statusCode ?? 502,
              headers: up.headers,
              body: Buffer.concat(parts),
            }),
          );
        },
      );
      upstream.on('error', reject);
      upstream.end(body);
    });

  /** A monolithic upload done as distribution wants it: POST for a session, PUT with the blob. */
  const uploadInTwo = async (
    url: string,
    headers: IncomingMessage['headers'],
    blob: Buffer,
  ): Promise<UpstreamResponse> => {
    const target = new URL(url, 'http://proxy');
    const digest = target.searchParams.get('digest') ?? '';
    const session = await send('POST', target.pathname, headers, Buffer.alloc(0));
    const location = session.headers.location;
    if (session.status !== 202 || typeof location !== 'string') return session;
    const put = new URL(location, 'http://proxy');
    put.searchParams.set('digest', digest);
    return send('PUT', `${put.pathname}${put.search}`, headers, blob);
  };

  const server = createServer(handle);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    host: `127.0.0.1:${port}`,
    log,
    stats,
    stop: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
