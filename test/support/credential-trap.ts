import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

/** One request the trap received. */
export interface TrappedRequest {
  readonly method: string;
  /** Path and query, as sent. */
  readonly url: string;
  /** The Authorization header, when one was sent. */
  readonly authorization?: string;
}

/** A plain-HTTP server on 127.0.0.1 that records what clients send it. */
export interface CredentialTrap {
  /** `127.0.0.1:<port>` */
  readonly host: string;
  /** `http://127.0.0.1:<port>` */
  readonly origin: string;
  readonly requests: TrappedRequest[];
  /** Whether any request carried `secret` in its Authorization header (plain or base64 Basic). */
  received(secret: string): boolean;
  stop(): Promise<void>;
}

/**
 * Starts a hostile server that another origin (a registry answer) points clients to: it
 * records every request and answers 401 with a Basic challenge, the answer most likely to
 * make a careless client send a password.
 */
export async function startCredentialTrap(): Promise<CredentialTrap> {
  const requests: TrappedRequest[] = [];
  const handle = (req: IncomingMessage, res: ServerResponse): void => {
    requests.push({
      method: req.method ?? 'GET',
      url: req.url ?? '/',
      ...(req.headers.authorization ? { authorization: req.headers.authorization } : {}),
    });
    req.resume();
    req.on('end', () => {
      res.writeHead(401, {
        'www-authenticate': 'Basic realm="trap"',
        'content-type': 'application/json',
      });
      res.end(JSON.stringify({ errors: [{ code: 'UNAUTHORIZED', message: 'send a password' }] }));
    });
  };
  const server = createServer(handle);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  const decoded = (header: string): string =>
    header.startsWith('Basic ') ? Buffer.from(header.slice(6), 'base64').toString('utf8') : header;
  return {
    host: `127.0.0.1:${port}`,
    origin: `http://127.0.0.1:${port}`,
    requests,
    received: (secret) =>
      requests.some(
        (r) => r.authorization !== undefined && decoded(r.authorization).includes(secret),
      ),
    stop: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
