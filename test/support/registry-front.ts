import { mkdtemp, readFile, rm } from 'node:fs/promises';
import {
  createServer as createHttpServer,
  request as httpRequest,
  type IncomingMessage,
  type Server,
  type ServerResponse,
} from 'node:http';
import { createServer as createHttpsServer } from 'node:https';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { generateCertificates } from './pki.js';

/** A request as the front received it. */
export interface FrontRequest {
  readonly method: string;
  /** Path and query, as sent. */
  readonly url: string;
  readonly headers: Readonly<Record<string, string | string[] | undefined>>;
}

/** An HTTP answer: the registry's, or one the test makes up. */
export interface FrontAnswer {
  readonly status: number;
  readonly headers: Readonly<Record<string, string | string[] | undefined>>;
  readonly body: Buffer;
}

export interface RegistryFrontOptions {
  /** `host:port` of the plain-HTTP registry behind the front. */
  readonly target: string;
  /**
   * Serve HTTPS with a certificate for 127.0.0.1 from a CA generated for the front (`caFile`);
   * the registry is told (X-Forwarded-Proto) so its Location headers say https.
   * @default plain HTTP
   */
  readonly tls?: boolean;
  /**
   * What the hostile registry says instead of, or after, the real one: return an answer to
   * send it as is; `registry()` gets the real registry's answer to change it.
   * @default the registry's answer unchanged
   */
  readonly answer?: (
    request: FrontRequest,
    registry: () => Promise<FrontAnswer>,
  ) => Promise<FrontAnswer> | FrontAnswer;
}

/** A running front: a registry that lies in chosen ways. */
export interface RegistryFront {
  /** `127.0.0.1:<port>`: what goes into `oci://<host>/<repo>`. */
  readonly host: string;
  /** `https://127.0.0.1:<port>` or `http://...` */
  readonly origin: string;
  /** The CA that signed the front's certificate (only with `tls`). */
  readonly caFile?: string;
  readonly requests: FrontRequest[];
  stop(): Promise<void>;
}

/**
 * Starts a hostile registry on 127.0.0.1: a reverse proxy in front of a real test registry
 * whose answers a test can rewrite (headers, status, body), over HTTP or HTTPS.
 */
export async function startRegistryFront(options: RegistryFrontOptions): Promise<RegistryFront> {
  const [targetHost, targetPort] = options.target.split(':');
  const requests: FrontRequest[] = [];
  const forward = (req: FrontRequest, body: Buffer): Promise<FrontAnswer> =>
    new Promise((resolve, reject) => {
      const upstream = httpRequest(
        {
          host: targetHost,
          port: Number(targetPort),
          method: req.method,
          path: req.url,
          headers: { ...req.headers, ...(options.tls ? { 'x-forwarded-proto': 'https' } : {}) },
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

  const handle = (req: IncomingMessage, res: ServerResponse): void => {
    const seen: FrontRequest = {
      method: req.method ?? 'GET',
      url: req.url ?? '/',
      headers: req.headers,
    };
    requests.push(seen);
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => {
      const registry = (): Promise<FrontAnswer> => forward(seen, Buffer.concat(chunks));
      void Promise.resolve(options.answer ? options.answer(seen, registry) : registry())
        .then((answer) => {
          const headers = { ...answer.headers };
          if (req.method !== 'HEAD') headers['content-length'] = String(answer.body.length);
          delete headers['transfer-encoding'];
          res.writeHead(answer.status, headers);
          res.end(req.method === 'HEAD' ? undefined : answer.body);
        })
        // An answer Node cannot send (e.g. a header with a control character) ends the connection.
        .catch(() => req.socket.destroy());
    });
  };

  let dir: string | undefined;
  let server: Server;
  let caFile: string | undefined;
  if (options.tls) {
    dir = await mkdtemp(join(tmpdir(), 'flux-oci-front-'));
    const certs = await generateCertificates(dir);
    caFile = certs.caFile;
    server = createHttpsServer(
      { cert: await readFile(certs.certFile), key: await readFile(certs.keyFile) },
      handle,
    );
  } else {
    server = createHttpServer(handle);
  }
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    host: `127.0.0.1:${port}`,
    origin: `${options.tls ? 'https' : 'http'}://127.0.0.1:${port}`,
    caFile,
    requests,
    stop: async () => {
      await new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      });
      if (dir) await rm(dir, { recursive: true, force: true });
    },
  };
}
