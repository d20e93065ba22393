// The agent the cloud SDKs send with: the registry transport's proxy choice (HTTPS_PROXY,
// HTTP_PROXY, NO_PROXY as Go reads them, loopback never) for each connection, and instance
// metadata always directly.
import { request, createServer, type Agent, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { isInstanceMetadata } from '../../../src/oci/registry/auth/instance-metadata.js';
import { RoutingAgent } from '../../../src/oci/registry/http/routing-agent.js';
import { startConnectProxy, type ConnectProxy } from '../../support/connect-proxy.js';
import { freePort } from '../../support/ports.js';

let server: Server;
let port: number;
let proxy: ConnectProxy;

beforeAll(async () => {
  server = createServer((req, res) => res.end(`${req.method} ${req.url}`));
  await new Promise<void>((done) => server.listen(0, '127.0.0.1', done));
  port = (server.address() as AddressInfo).port;
  // `api.cloud.test` resolves only inside the proxy: a direct request cannot reach it.
  proxy = await startConnectProxy({ hosts: { 'api.cloud.test': '127.0.0.1' } });
});
afterAll(async () => {
  await proxy?.stop();
  await new Promise((done) => server?.close(done));
});

function get(url: string, agent: Agent): Promise<string> {
  return new Promise((done, fail) => {
    request(url, { agent }, (res) => {
      let body = '';
      res.on('data', (chunk: Buffer) => (body += chunk.toString()));
      res.on('end', () => done(body));
    })
      .on('error', fail)
      .end();
  });
}

test('a host the proxy settings send through the proxy goes through it; NO_PROXY and loopback go directly', async () => {
  const agent = new RoutingAgent({ httpProxy: proxy.url, noProxy: 'direct.test' });
  try {
    const forwarded = proxy.forwarded.length;
    expect(await get(`http://api.cloud.test:${port}/token`, agent)).toBe('GET /token');
    expect(proxy.forwarded.slice(forwarded)).toEqual([`GET http://api.cloud.test:${port}/token`]);
    // Loopback by name or address, and NO_PROXY's host: never through the proxy.
    expect(await get(`http://127.0.0.1:${port}/a`, agent)).toBe('GET /a');
    expect(await get(`http://localhost:${port}/b`, agent)).toBe('GET /b');
    await expect(get(`http://direct.test:${port}/c`, agent)).rejects.toThrow(/ENOTFOUND|EAI_AGAIN/);
    expect(proxy.forwarded.length).toBe(forwarded + 1);
  } finally {
    await agent.close();
  }
});

test('no proxy settings: every request goes directly', async () => {
  const agent = new RoutingAgent(undefined);
  try {
    expect(await get(`http://127.0.0.1:${port}/d`, agent)).toBe('GET /d');
  } finally {
    await agent.close();
  }
});

test('URLs the caller reaches directly are never proxied, whatever the settings', async () => {
  const dead = `http://127.0.0.1:${await freePort()}`;
  const agent = new RoutingAgent({ httpProxy: dead }, (url) => url.hostname === 'api.cloud.test');
  try {
    // Directly: the name resolves nowhere outside the proxy, so the lookup fails, not the proxy.
    await expect(get(`http://api.cloud.test:${port}/e`, agent)).rejects.toThrow(
      /ENOTFOUND|EAI_AGAIN/,
    );
  } finally {
    await agent.close();
  }
});

test.each([
  ['http://169.254.169.254/latest/api/token', true], // AWS IMDS, Azure IMDS
  ['http://169.254.170.2/v2/credentials/x', true], // ECS container credentials
  ['http://169.254.170.23/v1/credentials', true], // EKS Pod Identity
  ['http://[fd00:ec2::254]/latest/api/token', true], // AWS IMDS on IPv6
  ['http://metadata.google.internal/computeMetadata/v1/', true],
  ['http://METADATA.GOOGLE.INTERNAL./computeMetadata/v1/', true],
  ['https://api.ecr.eu-west-1.amazonaws.com/', false],
  ['https://login.microsoftonline.com/', false],
  ['https://oauth2.googleapis.com/token', false],
  ['http://169.255.169.254/', false],
  ['http://metadata.google.internal.evil.example/', false],
])('%s is instance metadata: %s', (url, expected) => {
  expect(isInstanceMetadata(new URL(url))).toBe(expected);
});
