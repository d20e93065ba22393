// KubeClient's retries against a local HTTP server that misbehaves the way API servers and
// load balancers do: throttling, and a connection dropped before answering.
import { createServer, type Server } from 'node:http';
import { KubeConfig } from '@kubernetes/client-node';
import { KubeClient } from '../../src/kube/client.js';
import { KubeApiError } from '../../src/kube/api-error.js';

let server: Server;
let script: ((res: import('node:http').ServerResponse) => void)[] = [];
let calls = 0;
let client: KubeClient;

beforeAll(async () => {
  server = createServer((req, res) => {
    calls++;
    const next = script.shift();
    if (next) return next(res);
    res.writeHead(200, { 'content-type': 'application/json' });
    res.end(JSON.stringify({ kind: 'Status', path: req.url }));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as { port: number };
  const kc = new KubeConfig();
  kc.loadFromOptions({
    clusters: [{ name: 'c', server: `http://127.0.0.1:${port}`, skipTLSVerify: true }],
    users: [{ name: 'u', token: 't' }],
    contexts: [{ name: 'x', cluster: 'c', user: 'u' }],
    currentContext: 'x',
  });
  client = new KubeClient(kc);
});
afterAll(async () => {
  server.closeAllConnections();
  await new Promise((resolve) => server.close(resolve));
});
beforeEach(() => {
  script = [];
  calls = 0;
});

const throttled = (res: import('node:http').ServerResponse) => {
  res.writeHead(429, { 'retry-after': '0', 'content-type': 'application/json' });
  res.end(JSON.stringify({ kind: 'Status', reason: 'TooManyRequests', message: 'slow down' }));
};
const dropped = (res: import('node:http').ServerResponse) => res.socket?.destroy();

describe('KubeClient retries', () => {
  it('tries again after throttling', async () => {
    script = [throttled];
    await expect(client.request('GET', '/api/v1')).resolves.toEqual({
      kind: 'Status',
      path: '/api/v1',
    });
    expect(calls).toBe(2);
  });

  it('tries again when the connection is dropped', async () => {
    script = [dropped];
    await expect(client.request('GET', '/api/v1')).resolves.toEqual({
      kind: 'Status',
      path: '/api/v1',
    });
    expect(calls).toBe(2);
  });

  it('gives up after three attempts with the last answer', async () => {
    script = [throttled, throttled, throttled, throttled];
    const error = await client.request('GET', '/api/v1').catch((e: unknown) => e);
    expect(error).toBeInstanceOf(KubeApiError);
    expect((error as Error).message).toBe('GET /api/v1: 429 TooManyRequests: slow down');
    expect(calls).toBe(3);
  });

  it('does not retry a refusal', async () => {
    script = [
      (res) => {
        res.writeHead(422, { 'content-type': 'application/json' });
        res.end(JSON.stringify({ kind: 'Status', reason: 'Invalid', message: 'bad' }));
      },
    ];
    await expect(client.request('PATCH', '/api/v1/x', { body: {} })).rejects.toThrow(
      'PATCH /api/v1/x: 422 Invalid: bad',
    );
    expect(calls).toBe(1);
  });
});
