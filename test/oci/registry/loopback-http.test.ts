// Plain HTTP to localhost, 127.0.0.1 and ::1 needs no flag, as in Flux and
// go-containerregistry (name.Registry.Scheme()): a kind cluster with a local registry.
// Every other host still needs allowInsecureHttp. A real plain-HTTP registry with basic auth,
// reached under each name through TCP forwarders on 127.0.0.2 and ::1.
import { jest } from '@jest/globals';
import {
  pullArtifact,
  pushArtifact,
  RegistryClient,
  resolveArtifact,
} from '../../../src/oci/registry/index.js';
import { isLoopbackRegistry } from '../../../src/oci/registry/http/loopback.js';
import { fluxArtifact } from '../../support/artifacts.js';
import { startFaultProxy } from '../../support/fault-proxy.js';
import { startRegistryFront } from '../../support/registry-front.js';
import { startRegistry, type TestRegistry } from '../../support/registry.js';
import { forwardTcp, type TcpForwarder } from '../../support/tcp-forwarder.js';

// Real registries are started per file: allow for a busy machine.
jest.setTimeout(60_000);

describe('plain HTTP to this machine', () => {
  const user = { username: 'flux', password: 'loopback-s3cret' };
  const creds = { credentials: user, useAuthFile: false, retries: 0 } as const;
  let registry: TestRegistry;
  let ipv6: TcpForwarder;
  let other: TcpForwarder;
  const port = () => registry.host.split(':')[1];

  beforeAll(async () => {
    registry = await startRegistry({ htpasswd: user });
    ipv6 = await forwardTcp('::1', registry.host);
    // 127.0.0.2 is loopback on Linux, but not one of the names that need no flag.
    other = await forwardTcp('127.0.0.2', registry.host);
  }, 60_000);
  afterAll(async () => {
    await ipv6?.stop();
    await other?.stop();
    await registry?.stop();
  }, 60_000);

  test.each([
    ['127.0.0.1', () => registry.host],
    ['localhost', () => `localhost:${port()}`],
    ['::1', () => ipv6.host],
  ])('%s: push and pull with credentials, no flag', async (_name, host) => {
    const url = `oci://${host()}/loopback/app:v1`;
    const artifact = fluxArtifact({ 'a.yaml': `host: ${host()}\n` });
    const pushed = await pushArtifact(url, artifact, creds);
    expect(pushed.digest).toBe(artifact.manifest.descriptor.digest);
    expect((await pullArtifact(url, creds)).digest).toBe(pushed.digest);
  });

  // 0x16 opens a TLS handshake; a plain HTTP request starts with its method's first letter.
  const TLS_HANDSHAKE = 0x16;

  test('a loopback registry without TLS is asked plain HTTP first: no TLS attempt', async () => {
    const front = await forwardTcp('127.0.0.1', registry.host);
    try {
      const url = `oci://${front.host}/loopback/first:v1`;
      const artifact = fluxArtifact({ 'c.yaml': 'c\n' });
      await pushArtifact(url, artifact, creds);
      expect((await pullArtifact(url, creds)).digest).toBe(artifact.manifest.descriptor.digest);
      expect(front.firstBytes.length).toBeGreaterThan(0);
      expect(front.firstBytes).not.toContain(TLS_HANDSHAKE);
    } finally {
      await front.stop();
    }
  });

  test.each([
    // A Go TLS server answers plain HTTP with 400 ("Client sent an HTTP request to an HTTPS server").
    ['answers plain HTTP with 400', undefined],
    // As nginx's `error_page 497 https://$host:$server_port$request_uri`.
    [
      'redirects plain HTTP to https on its own port',
      (host: string) =>
        `HTTP/1.1 301 Moved Permanently\r\nLocation: https://${host}/v2/\r\nContent-Length: 0\r\nConnection: close\r\n\r\n`,
    ],
  ])('a loopback registry with TLS that %s: HTTPS follows', async (_case, plainAnswer) => {
    const tls = await startRegistry({ tls: true, htpasswd: user });
    const front = await forwardTcp('127.0.0.1', tls.host, plainAnswer);
    const client = new RegistryClient(front.host, { ...creds, caFile: tls.caFile });
    try {
      const url = `oci://${front.host}/loopback/tls:v1`;
      const artifact = fluxArtifact({ 'd.yaml': 'd\n' });
      await pushArtifact(url, artifact, { client });
      expect((await pullArtifact(url, { client })).digest).toBe(
        artifact.manifest.descriptor.digest,
      );
      expect(client.baseUrl).toBe(`https://${front.host}`);
      // One plain request, then TLS only: the scheme is learnt once per client.
      expect(front.firstBytes[0]).not.toBe(TLS_HANDSHAKE);
      expect(front.firstBytes.length).toBeGreaterThan(1);
      expect(front.firstBytes.slice(1)).toEqual(front.firstBytes.slice(1).map(() => TLS_HANDSHAKE));
    } finally {
      await client.close();
      await front.stop();
      await tls.stop();
    }
  });

  test('the plain probe goes without credentials; they follow once the scheme is known', async () => {
    const open = await startRegistry();
    // A registry that takes only this token (a docker config `registrytoken`).
    const front = await startRegistryFront({
      target: open.host,
      answer: (request, registry) =>
        request.headers.authorization === 'Bearer loopback-t0ken'
          ? registry()
          : {
              status: 401,
              headers: { 'www-authenticate': 'Bearer realm="http://127.0.0.1:1/token"' },
              body: Buffer.from('{"errors":[{"code":"UNAUTHORIZED","message":"token"}]}'),
            },
    });
    const options = {
      credentials: { registryToken: 'loopback-t0ken' },
      useAuthFile: false,
      retries: 0,
    };
    try {
      const url = `oci://${front.host}/loopback/token:v1`;
      const artifact = fluxArtifact({ 'f.yaml': 'f\n' });
      await pushArtifact(url, artifact, options);
      expect((await pullArtifact(url, options)).digest).toBe(artifact.manifest.descriptor.digest);
      const probes = front.requests.filter((r) => r.headers.authorization === undefined);
      // One probe per client (push, pull), each sent again with the token.
      expect(probes).toHaveLength(2);
      expect(front.requests[0]!.headers.authorization).toBeUndefined();
      expect(front.requests[1]!.headers.authorization).toBe('Bearer loopback-t0ken');
    } finally {
      await front.stop();
      await open.stop();
    }
  });

  test('a reset of the plain probe is retried once HTTPS shows the server speaks plain HTTP', async () => {
    const artifact = fluxArtifact({ 'g.yaml': 'g\n' });
    await pushArtifact(`oci://${registry.host}/loopback/reset:v1`, artifact, creds);
    const front = await startFaultProxy({
      target: registry.host,
      fault: (request) => (request.index === 0 ? 'reset' : undefined),
    });
    try {
      const pulled = await pullArtifact(`oci://${front.host}/loopback/reset:v1`, {
        ...creds,
        retries: 1,
        retryDelayMs: 10,
      });
      expect(pulled.digest).toBe(artifact.manifest.descriptor.digest);
    } finally {
      await front.stop();
    }
  });

  test('any other host needs allowInsecureHttp', async () => {
    const url = `oci://${other.host}/loopback/app:v1`;
    const refused = resolveArtifact(url, creds);
    await expect(refused).rejects.toThrow(`registry ${other.host} does not speak TLS`);
    await expect(resolveArtifact(url, creds)).rejects.toThrow('--allow-insecure-http');
    const artifact = fluxArtifact({ 'b.yaml': 'b\n' });
    await pushArtifact(url, artifact, { ...creds, allowInsecureHttp: true });
    expect((await resolveArtifact(url, { ...creds, allowInsecureHttp: true }))?.digest).toBe(
      artifact.manifest.descriptor.digest,
    );
  });

  test('a loopback registry on plain HTTP may send the client to loopback only', async () => {
    const client = new RegistryClient(registry.host, creds);
    try {
      await resolveArtifact(`oci://${registry.host}/loopback/none:v1`, { client });
      const base = `http://${registry.host}/v2/`;
      expect(client.returnedUrl('http://localhost:1/token', base, 'a token realm').host).toBe(
        'localhost:1',
      );
      expect(() => client.returnedUrl('http://registry.example/x', base, 'a redirect')).toThrow(
        `registry ${registry.host} sent a redirect on plain HTTP (http://registry.example/x): refusing to leave HTTPS; pass --allow-insecure-http to allow plain HTTP for this registry`,
      );
    } finally {
      await client.close();
    }
  });

  test.each([
    ['localhost', true],
    ['localhost:5000', true],
    ['LOCALHOST:5000', true],
    ['127.0.0.1', true],
    ['127.0.0.1:5000', true],
    ['[::1]:5000', true],
    ['[::1]', true],
    ['::1', true],
    ['127.0.0.2:5000', false],
    ['my.localhost:5000', false],
    ['localhost.example.com', false],
    ['10.0.0.1:5000', false],
    ['[::2]:5000', false],
    ['ghcr.io', false],
  ])('isLoopbackRegistry(%j) is %s', (host, expected) =>
    expect(isLoopbackRegistry(host)).toBe(expected),
  );
});
