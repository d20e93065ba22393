import { jest } from '@jest/globals';
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
    expect(proxy.connects.length).toBeGreaterThan(0);
    expect(new Set(proxy.connects)).toEqual(new Set([`registry.test:${port}`]));
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
