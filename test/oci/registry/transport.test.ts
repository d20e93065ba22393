// The registry transport over Node's http: keep-alive pooling, the request timeout, the
// operation deadline and streamed bodies, against real local sockets that stall, cut or
// count connections.
import { jest } from '@jest/globals';
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import {
  createServer as createHttpServer,
  type IncomingMessage,
  type Server as HttpServer,
  type ServerResponse,
} from 'node:http';
import {
  createServer as createTcpServer,
  type AddressInfo,
  type Server,
  type Socket,
} from 'node:net';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { UserError } from '../../../src/errors.js';
import {
  HttpTransport,
  RequestTimeoutError,
  type TransportOptions,
} from '../../../src/oci/registry/http/transport.js';

jest.setTimeout(30_000);

const options = (overrides: Partial<TransportOptions> = {}): TransportOptions => ({
  retry: { retries: 0, baseDelayMs: 10, maxDelayMs: 50 },
  userAgent: 'flux-oci-test',
  requestTimeoutMs: 60_000,
  ...overrides,
});

/** Servers and transports made by a test, closed after it. */
const cleanups: (() => unknown)[] = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

function transport(overrides: Partial<TransportOptions> = {}): HttpTransport {
  const t = new HttpTransport(options(overrides));
  cleanups.push(() => t.close());
  return t;
}

interface Served {
  readonly url: string;
  /** Connections accepted so far. */
  readonly connections: Socket[];
}

async function listen(server: Server | HttpServer): Promise<Served> {
  const connections: Socket[] = [];
  server.on('connection', (socket: Socket) => connections.push(socket));
  await new Promise<void>((done) => server.listen(0, '127.0.0.1', done));
  cleanups.push(
    () =>
      new Promise<void>((done) => {
        for (const socket of connections) socket.destroy();
        server.close(() => done());
      }),
  );
  return { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, connections };
}

function http(handler: (req: IncomingMessage, res: ServerResponse) => void): Promise<Served> {
  const server = createHttpServer(handler);
  // No server-side idle timeout: only the client may close a kept-alive connection.
  server.keepAliveTimeout = 0;
  return listen(server);
}

/** A server that reads requests and never answers. */
function silent(): Promise<Served> {
  return listen(createTcpServer((socket) => socket.resume()));
}

describe('connections', () => {
  it('reuses one kept-alive connection for requests one after another', async () => {
    const server = await http((_req, res) => res.end('ok'));
    const t = transport();
    for (let i = 0; i < 3; i++) {
      const res = await t.send({ method: 'GET', url: `${server.url}/v2/` });
      expect(res.body.toString()).toBe('ok');
    }
    expect(server.connections).toHaveLength(1);
    expect(t.stats.requests).toBe(3);
  });

  it('opens at most 8 connections to a host, then reuses them', async () => {
    const held: ServerResponse[] = [];
    const server = await http((_req, res) => {
      // Answer only once 8 requests are in: more connections could not open meanwhile.
      if (held.length < 8) {
        held.push(res);
        if (held.length === 8) for (const r of held) r.end('ok');
      } else {
        res.end('ok');
      }
    });
    const t = transport();
    const answers = await Promise.all(
      Array.from({ length: 12 }, () => t.send({ method: 'GET', url: `${server.url}/v2/` })),
    );
    expect(answers.every((a) => a.status === 200)).toBe(true);
    expect(server.connections).toHaveLength(8);
  });

  it('close() closes the idle connections', async () => {
    const server = await http((_req, res) => res.end('ok'));
    const t = transport();
    await t.send({ method: 'GET', url: `${server.url}/v2/` });
    const [socket] = server.connections;
    const closed = new Promise<void>((done) => socket.once('close', () => done()));
    await t.close();
    await closed;
  });

  it('an idle connection does not keep the process alive', async () => {
    const server = await http((_req, res) => res.end('ok'));
    // A process that sends one request and never closes its transport must still end.
    const script = join(mkdtempSync(join(tmpdir(), 'flux-oci-transport-')), 'one-request.mts');
    cleanups.push(() => rmSync(join(script, '..'), { recursive: true, force: true }));
    const transportModule = resolve('src/oci/registry/http/transport.ts');
    writeFileSync(
      script,
      `import { HttpTransport } from ${JSON.stringify(transportModule)};
const t = new HttpTransport({ retry: { retries: 0, baseDelayMs: 1, maxDelayMs: 1 }, userAgent: 'x', requestTimeoutMs: 60000 });
const res = await t.send({ method: 'GET', url: ${JSON.stringify(`${server.url}/v2/`)} });
console.log(res.status);
`,
    );
    const child = spawn(resolve('node_modules/.bin/tsx'), [script], {
      stdio: ['ignore', 'pipe', 'inherit'],
    });
    let out = '';
    child.stdout.on('data', (d: Buffer) => (out += d.toString()));
    const code = await new Promise<number | null>((done) => child.on('close', done));
    expect(out.trim()).toBe('200');
    expect(code).toBe(0);
    // The connection was kept alive: the server saw it, and the client's exit closed it.
    expect(server.connections).toHaveLength(1);
  });
});

describe('the request timeout', () => {
  it('fails a request whose headers do not come in time, and retries it', async () => {
    const server = await silent();
    const t = transport({
      requestTimeoutMs: 300,
      retry: { retries: 1, baseDelayMs: 10, maxDelayMs: 10 },
    });
    const attempt = t.send({ method: 'GET', url: `${server.url}/v2/` });
    await expect(attempt).rejects.toThrow(RequestTimeoutError);
    await expect(attempt).rejects.toMatchObject({
      code: 'ETIMEDOUT',
      message: 'no data from the server for 300ms',
    });
    // The first attempt and one retry, each on a connection of its own.
    expect(server.connections).toHaveLength(2);
    expect(t.stats.failedRequests).toBe(2);
  });

  it('fails a body that stops between two chunks', async () => {
    const server = await http((_req, res) => {
      res.writeHead(200, { 'content-length': '10' });
      res.write('12345');
    });
    const pieces: Buffer[] = [];
    const t = transport({ requestTimeoutMs: 300 });
    await expect(
      t.send({
        method: 'GET',
        url: `${server.url}/v2/blob`,
        sink: {
          begin: () => pieces.splice(0),
          write: (piece) => {
            pieces.push(piece);
          },
        },
      }),
    ).rejects.toThrow(RequestTimeoutError);
    expect(Buffer.concat(pieces).toString()).toBe('12345');
  });

  it('is the longest wait between chunks, not a limit on the whole body', async () => {
    // 8 chunks 150 ms apart: 1.2 s in all, twice the timeout, with no gap near it.
    const server = await http((_req, res) => {
      res.writeHead(200, { 'content-length': '8' });
      let sent = 0;
      const timer = setInterval(() => {
        res.write(String(sent++));
        if (sent === 8) {
          clearInterval(timer);
          res.end();
        }
      }, 150);
    });
    const t = transport({ requestTimeoutMs: 600 });
    const res = await t.send({ method: 'GET', url: `${server.url}/v2/slow` });
    expect(res.body.toString()).toBe('01234567');
  });
});

describe('connections cut short', () => {
  it('fails a body cut short as a retryable reset, and sends the request again', async () => {
    let requests = 0;
    const server = await http((_req, res) => {
      if (requests++ === 0) {
        res.writeHead(200, { 'content-length': '10' });
        res.write('12345', () => res.socket?.destroy());
      } else {
        res.end('1234567890');
      }
    });
    const t = transport({ retry: { retries: 1, baseDelayMs: 10, maxDelayMs: 10 } });
    const res = await t.send({ method: 'GET', url: `${server.url}/v2/blob` });
    expect(res.body.toString()).toBe('1234567890');
    expect(requests).toBe(2);
  });

  it('says so when the server closes the connection without answering', async () => {
    const server = await listen(
      createTcpServer((socket) => socket.once('data', () => socket.end())),
    );
    const t = transport();
    await expect(t.send({ method: 'GET', url: `${server.url}/v2/` })).rejects.toMatchObject({
      code: 'ECONNRESET',
      message: 'socket hang up',
    });
    expect(t.stats.failedRequests).toBe(1);
  });
});

describe('the operation deadline', () => {
  it('aborts a request in flight at once, without retrying it', async () => {
    const server = await silent();
    const t = transport({ retry: { retries: 3, baseDelayMs: 10, maxDelayMs: 10 } });
    const signal = AbortSignal.timeout(200);
    const started = Date.now();
    await expect(t.send({ method: 'GET', url: `${server.url}/v2/`, signal })).rejects.toThrow();
    expect(signal.aborted).toBe(true);
    expect(Date.now() - started).toBeLessThan(5_000);
    expect(server.connections).toHaveLength(1);
  });

  it('aborts a body being read', async () => {
    const server = await http((_req, res) => {
      res.writeHead(200, { 'content-length': '10' });
      res.write('12345');
    });
    const t = transport();
    const signal = AbortSignal.timeout(200);
    await expect(t.send({ method: 'GET', url: `${server.url}/v2/`, signal })).rejects.toThrow();
    expect(signal.aborted).toBe(true);
  });
});

describe('request bodies', () => {
  /** A server that takes PUT bodies, answering `statuses` in turn (then 201). */
  async function sinkServer(statuses: number[]): Promise<Served & { bodies: Buffer[] }> {
    const bodies: Buffer[] = [];
    const served = await http((req, res) => {
      const chunks: Buffer[] = [];
      req.on('data', (c: Buffer) => chunks.push(c));
      req.on('end', () => {
        bodies.push(Buffer.concat(chunks));
        res.writeHead(statuses.shift() ?? 201);
        res.end();
      });
    });
    return { ...served, bodies };
  }

  it('sends bytes in 1 MiB chunks, reporting progress', async () => {
    const server = await sinkServer([]);
    const bytes = Buffer.alloc(3 * 1024 * 1024 + 5, 7);
    const sent: number[] = [];
    const t = transport();
    const res = await t.send({
      method: 'PUT',
      url: `${server.url}/v2/upload`,
      body: bytes,
      onSent: (n) => sent.push(n),
    });
    expect(res.status).toBe(201);
    expect(server.bodies[0].equals(bytes)).toBe(true);
    expect(sent).toEqual([1, 2, 3].map((m) => m * 1024 * 1024).concat(bytes.length));
    expect(t.stats.bytesSent).toBe(bytes.length);
  });

  it('reads a file body anew for each retry', async () => {
    const server = await sinkServer([503]);
    const dir = mkdtempSync(join(tmpdir(), 'flux-oci-body-'));
    cleanups.push(() => rmSync(dir, { recursive: true, force: true }));
    const path = join(dir, 'blob');
    const content = Buffer.alloc(2 * 1024 * 1024 + 1, 3);
    writeFileSync(path, content);
    const t = transport({ retry: { retries: 1, baseDelayMs: 10, maxDelayMs: 10 } });
    const res = await t.send({
      method: 'PUT',
      url: `${server.url}/v2/upload`,
      body: { path, size: content.length },
    });
    expect(res.status).toBe(201);
    expect(server.bodies).toHaveLength(2);
    for (const body of server.bodies) expect(body.equals(content)).toBe(true);
  });

  it('refuses a file whose size changed', async () => {
    const server = await sinkServer([]);
    const dir = mkdtempSync(join(tmpdir(), 'flux-oci-body-'));
    cleanups.push(() => rmSync(dir, { recursive: true, force: true }));
    const path = join(dir, 'blob');
    writeFileSync(path, 'grown since it was measured');
    const t = transport();
    for (const size of [5, 100]) {
      const attempt = t.send({
        method: 'PUT',
        url: `${server.url}/v2/upload`,
        body: { path, size },
      });
      await expect(attempt).rejects.toThrow(UserError);
      await expect(attempt).rejects.toThrow(`${path} is not ${size} bytes any more: try again`);
    }
  });
});
