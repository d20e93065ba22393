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
}

/**
 * What to do with a request instead of forwarding it:
 * - `{ status }`: answer with that status (and Retry-After) without asking the registry;
 * - `reset`: close the connection before the registry sees the request;
 * - `lose-response`: let the registry handle it, then close the connection unanswered
 *   (the write happened but the client cannot know);
 * - `hang`: never answer (until the proxy stops), for timeout tests.
 */
export type Fault =
  'hang' | { readonly status: number; readonly retryAfter?: string } | 'reset' | 'lose-response';

export interface FaultProxyOptions {
  /** `host:port` of the registry behind the proxy (plain HTTP). */
  readonly target: string;
  /** Decides per request whether to inject a fault. @default forward everything */
  readonly fault?: (request: ProxiedRequest) => Fault | undefined;
  /** Rewrites the registry's response body (to serve corrupt content). @default unchanged */
  readonly tamper?: (request: ProxiedRequest, body: Buffer) => Buffer;
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
      if (fault && typeof fault === 'object') {
        entry.outcome = String(fault.status);
        res.writeHead(fault.status, {
          'content-type': 'application/json',
          ...(fault.retryAfter ? { 'retry-after': fault.retryAfter } : {}),
        });
        res.end(JSON.stringify({ errors: [{ code: 'UNAVAILABLE', message: 'injected fault' }] }));
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
            stats.bytesToClients += out.length;
            res.writeHead(up.statusCode ?? 502, headers);
            res.end(out);
          });
        },
      );
      upstream.on('error', () => req.socket.destroy());
      upstream.end(Buffer.concat(chunks));
    });
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
