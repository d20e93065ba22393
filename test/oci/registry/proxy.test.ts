import { jest } from '@jest/globals';
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, type AddressInfo, type Socket } from 'node:net';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { pullArtifact, pushArtifact } from '../../../src/oci/registry/index.js';
import { fluxArtifact } from '../../support/artifacts.js';
import { startConnectProxy, type ConnectProxy } from '../../support/connect-proxy.js';
import { freePort } from '../../support/ports.js';
import { startRegistry, type TestRegistry } from '../../support/registry.js';

jest.setTimeout(60_000);

// HTTPS_PROXY / HTTP_PROXY / NO_PROXY are honoured as Flux (Go) does, loopback excepted.
describe('registries behind an HTTP proxy', () => {
  let registry: TestRegistry;
  let proxy: ConnectProxy;
  let port: string;

  beforeAll(async () => {
    registry = await startRegistry();
    port = registry.host.split(':')[1];
    // `registry.test` resolves only inside the proxy: a request that does not go through
    // the proxy cannot reach the registry.
    proxy = await startConnectProxy({ hosts: { 'registry.test': '127.0.0.1' } });
  });
  afterAll(async () => {
    await proxy?.stop();
    await registry?.stop();
  });

  it('tunnels pushes and pulls through the proxy from the environment', async () => {
    const env = { HTTPS_PROXY: proxy.url, HTTP_PROXY: proxy.url, HOME: '/nonexistent' };
    const options = { allowInsecureHttp: true, useAuthFile: false, env, retries: 0 };
    const url = `oci://registry.test:${port}/proxied/app:v1`;
    const pushed = await pushArtifact(url, fluxArtifact({ 'a.yaml': 'a: 1\n' }), options);
    expect((await pullArtifact(url, options)).digest).toBe(pushed.digest);
    // HTTPS first (a CONNECT tunnel, where TLS fails), then plain HTTP in absolute form.
    expect(new Set(proxy.connects)).toEqual(new Set([`registry.test:${port}`]));
    expect(proxy.forwarded.length).toBeGreaterThan(0);
    for (const request of proxy.forwarded) {
      expect(request).toMatch(new RegExp(`^[A-Z]+ http://registry\\.test:${port}/v2/`));
    }
  });

  it('never proxies loopback addresses, and honours NO_PROXY', async () => {
    const dead = `http://127.0.0.1:${await freePort()}`;
    const options = {
      allowInsecureHttp: true,
      useAuthFile: false,
      retries: 0,
      env: { HTTPS_PROXY: dead, HTTP_PROXY: dead },
    };
    const pushed = await pushArtifact(
      `oci://${registry.host}/direct/app:v1`,
      fluxArtifact({ 'b.yaml': 'b\n' }),
      options,
    );
    expect(pushed.uploadedBlobs).toBe(2);
    const before = proxy.connects.length;
    await expect(
      pullArtifact(`oci://registry.test:${port}/proxied/app:v1`, {
        ...options,
        env: { HTTPS_PROXY: proxy.url, HTTP_PROXY: proxy.url, NO_PROXY: 'registry.test' },
      }),
    ).rejects.toThrow("cannot resolve the registry host 'registry.test'");
    expect(proxy.connects.length).toBe(before);
  });
});

// A proxy that cannot be reached is what to fix, not the registry's URL.
describe('a proxy that cannot be reached', () => {
  const options = { allowInsecureHttp: true, useAuthFile: false, retries: 0 };

  /** The message `pullArtifact` fails with. */
  async function failure(url: string, more: Parameters<typeof pullArtifact>[1]): Promise<string> {
    try {
      await pullArtifact(url, { ...options, ...more });
    } catch (err) {
      return (err as Error).message;
    }
    throw new Error('the pull succeeded');
  }

  it('names the proxy (without its credentials) and HTTPS_PROXY when the port is closed', async () => {
    const closed = await freePort();
    // Plain HTTP is allowed, yet the registry is not then tried directly: an unreachable
    // proxy says nothing about the registry's scheme.
    const message = await failure('oci://registry.example.com/xx/yy:v1', {
      env: { HTTPS_PROXY: `http://user:s3cr3t@127.0.0.1:${closed}` },
    });
    expect(message).toBe(
      `cannot reach the HTTPS proxy 127.0.0.1:${closed} (ECONNREFUSED): check HTTPS_PROXY`,
    );
  });

  it('names a proxy host that does not resolve', async () => {
    const message = await failure('oci://ghcr.io/xx/yy:v1', {
      allowInsecureHttp: false,
      env: { HTTPS_PROXY: 'http://proxy.typo.invalid:3128' },
    });
    expect(message).toMatch(
      /^cannot reach the HTTPS proxy proxy\.typo\.invalid:3128 \((ENOTFOUND|EAI_AGAIN)\): check HTTPS_PROXY$/,
    );
  });

  it('names HTTP_PROXY for plain HTTP, and a proxy that never answers', async () => {
    const closed = await freePort();
    expect(
      // HTTPS first, directly (registry.invalid does not resolve), then plain HTTP through
      // the proxy.
      await failure('oci://registry.invalid/xx/yy:v1', {
        env: { HTTP_PROXY: `127.0.0.1:${closed}` },
      }),
    ).toBe(`cannot reach the HTTP proxy 127.0.0.1:${closed} (ECONNREFUSED): check HTTP_PROXY`);
    // Takes the connection, never answers the CONNECT.
    const sockets = new Set<Socket>();
    // Reads (so it sees the client go), never writes.
    const silent = createServer((socket) => sockets.add(socket.resume()));
    await new Promise<void>((done) => silent.listen(0, '127.0.0.1', done));
    const { port } = silent.address() as AddressInfo;
    try {
      expect(
        await failure('oci://registry.example.com/xx/yy:v1', {
          allowInsecureHttp: false,
          requestTimeoutMs: 300,
          env: { HTTPS_PROXY: `http://127.0.0.1:${port}` },
        }),
      ).toBe(
        `cannot reach the HTTPS proxy 127.0.0.1:${port} (no answer within 300ms): check HTTPS_PROXY`,
      );
      // The operation's deadline ends the wait too; neither leaves the connection to the
      // proxy open (it would keep the CLI's process alive).
      expect(
        await failure('oci://registry.example.com/xx/yy:v1', {
          allowInsecureHttp: false,
          timeoutMs: 300,
          env: { HTTPS_PROXY: `http://127.0.0.1:${port}` },
        }),
      ).toMatch(/^registry registry\.example\.com did not complete the operation within 300ms/);
      await new Promise((done) => setTimeout(done, 200));
      expect(sockets.size).toBe(2);
      for (const socket of sockets) expect(socket.readableEnded).toBe(true);
    } finally {
      for (const socket of sockets) socket.destroy();
      await new Promise((done) => silent.close(done));
    }
  });
});

// TLS with the registry inside the proxy's CONNECT tunnel, and a proxy that asks for
// credentials (given in the proxy URL, as Flux takes them).
describe('a TLS registry behind a proxy that asks for credentials', () => {
  let registry: TestRegistry;
  let plain: TestRegistry;
  let proxy: ConnectProxy;
  const password = 'p@ss word:1';
  let proxyWithCredentials: string;

  beforeAll(async () => {
    registry = await startRegistry({ tls: true, dnsNames: ['registry.test'] });
    plain = await startRegistry();
    proxy = await startConnectProxy({
      hosts: { 'registry.test': '127.0.0.1', 'plain.test': '127.0.0.1' },
      onlyHosts: true,
      credentials: `flux:${password}`,
    });
    proxyWithCredentials = proxy.url.replace('//', `//flux:${encodeURIComponent(password)}@`);
  });
  afterAll(async () => {
    await proxy?.stop();
    await registry?.stop();
    await plain?.stop();
  });

  it('pushes and pulls over TLS through the tunnel, sending the credentials to the proxy', async () => {
    const port = registry.host.split(':')[1];
    const options = {
      caFile: registry.caFile,
      useAuthFile: false,
      retries: 0,
      env: { HTTPS_PROXY: proxyWithCredentials, HOME: '/nonexistent' },
    };
    const url = `oci://registry.test:${port}/tunnel/app:v1`;
    const pushed = await pushArtifact(url, fluxArtifact({ 'a.yaml': 'a: 1\n' }), options);
    expect((await pullArtifact(url, options)).digest).toBe(pushed.digest);
    expect(new Set(proxy.connects)).toEqual(new Set([`registry.test:${port}`]));
    expect(proxy.refusedCredentials).toBe(0);
  });

  it('keeps the tunnel for the next request, and an idle tunnel does not keep the process alive', async () => {
    // A process that sends two requests through the proxy and never closes its transport.
    const port = registry.host.split(':')[1];
    const dir = mkdtempSync(join(tmpdir(), 'flux-oci-tunnel-'));
    const script = join(dir, 'two-requests.mts');
    writeFileSync(
      script,
      `import { HttpTransport } from ${JSON.stringify(resolve('src/oci/registry/http/transport.ts'))};
const t = new HttpTransport({
  retry: { retries: 0, baseDelayMs: 1, maxDelayMs: 1 },
  userAgent: 'flux-oci-test',
  requestTimeoutMs: 60000,
  caFile: ${JSON.stringify(registry.caFile)},
  proxy: { httpsProxy: ${JSON.stringify(proxyWithCredentials)} },
});
for (let i = 0; i < 2; i++) {
  const res = await t.send({ method: 'GET', url: 'https://registry.test:${port}/v2/' });
  console.log(res.status);
}
`,
    );
    const before = proxy.connects.length;
    try {
      const child = spawn(resolve('node_modules/.bin/tsx'), [script], {
        stdio: ['ignore', 'pipe', 'inherit'],
      });
      let out = '';
      child.stdout.on('data', (d: Buffer) => (out += d.toString()));
      const code = await new Promise<number | null>((done) => child.on('close', done));
      expect(out.split('\n').filter(Boolean)).toEqual(['200', '200']);
      expect(code).toBe(0);
      expect(proxy.connects.slice(before)).toEqual([`registry.test:${port}`]);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('says that the proxy asks for credentials when HTTPS_PROXY has none', async () => {
    const port = registry.host.split(':')[1];
    const refusedBefore = proxy.refusedCredentials;
    await expect(
      pullArtifact(`oci://registry.test:${port}/tunnel/app:v1`, {
        caFile: registry.caFile,
        useAuthFile: false,
        env: { HTTPS_PROXY: proxy.url },
      }),
    ).rejects.toThrow(
      `the HTTPS proxy asks for credentials (407 Proxy Authentication Required) to reach registry.test:${port}: give them in HTTPS_PROXY as http://user:password@host:port`,
    );
    // Refused at once, not retried.
    expect(proxy.refusedCredentials).toBe(refusedBefore + 1);
  });

  it('forwards plain HTTP with the credentials, and says when HTTP_PROXY has none', async () => {
    const port = plain.host.split(':')[1];
    const url = `oci://plain.test:${port}/forwarded/app:v1`;
    const options = { allowInsecureHttp: true, useAuthFile: false, retries: 0 };
    const env = { HTTP_PROXY: proxyWithCredentials, HTTPS_PROXY: proxyWithCredentials };
    const pushed = await pushArtifact(url, fluxArtifact({ 'b.yaml': 'b: 1\n' }), {
      ...options,
      env,
    });
    expect((await pullArtifact(url, { ...options, env })).digest).toBe(pushed.digest);
    expect(proxy.forwarded.some((r) => r.startsWith(`GET http://plain.test:${port}/v2/`))).toBe(
      true,
    );
    await expect(pullArtifact(url, { ...options, env: { HTTP_PROXY: proxy.url } })).rejects.toThrow(
      `(407): HTTP 407 Proxy Authentication Required: the HTTP proxy asks for credentials; give them in HTTP_PROXY as http://user:password@host:port`,
    );
  });
});
