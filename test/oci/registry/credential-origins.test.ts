import { jest } from '@jest/globals';
import {
  listTags,
  pullArtifact,
  pushArtifact,
  resolveArtifact,
} from '../../../src/oci/registry/index.js';
import { fluxArtifact } from '../../support/artifacts.js';
import { startCredentialTrap, type CredentialTrap } from '../../support/credential-trap.js';
import {
  startRegistryFront,
  type FrontAnswer,
  type FrontRequest,
  type RegistryFront,
} from '../../support/registry-front.js';
import { startRegistry, type TestRegistry } from '../../support/registry.js';

// Real registries (and TLS keys) are started per file: allow for a busy machine.
jest.setTimeout(60_000);

// A hostile registry points the client at another origin (a Link, an upload Location, a
// redirect, a token realm): the password must never arrive there, nor leave HTTPS.
describe('credentials stay with their registry', () => {
  const user = { username: 'flux', password: 'origin-s3cret-password' };
  const creds = { credentials: user, useAuthFile: false, retries: 0 } as const;
  let registry: TestRegistry;
  let trap: CredentialTrap;
  const fronts: RegistryFront[] = [];

  beforeAll(async () => {
    registry = await startRegistry({ htpasswd: user });
    await pushArtifact(`oci://${registry.host}/origin/app:v1`, fluxArtifact({ 'a.yaml': 'a\n' }), {
      ...creds,
      allowInsecureHttp: true,
    });
  });
  beforeEach(async () => {
    trap = await startCredentialTrap();
  });
  afterEach(async () => {
    await Promise.all(fronts.splice(0).map((f) => f.stop()));
    await trap.stop();
  });
  afterAll(async () => {
    await registry?.stop();
  });

  /** A hostile registry in front of the real one, stopped after the test. */
  async function front(
    answer: (req: FrontRequest, real: () => Promise<FrontAnswer>) => Promise<FrontAnswer>,
    tls = false,
  ): Promise<RegistryFront> {
    const started = await startRegistryFront({ target: registry.host, tls, answer });
    fronts.push(started);
    return started;
  }

  const redirect = (location: string): FrontAnswer => ({
    status: 307,
    headers: { location },
    body: Buffer.alloc(0),
  });

  it('follows a tag list Link to another origin without the credentials', async () => {
    const hostile = await front(async (req, real) => {
      const answer = await real();
      if (!req.url.includes('/tags/list') || answer.status !== 200) return answer;
      const next = `<${trap.origin}/v2/origin/app/tags/list?last=v1>; rel="next"`;
      return { ...answer, headers: { ...answer.headers, link: next } };
    });
    await expect(
      listTags(`oci://${hostile.host}/origin/app`, { ...creds, allowInsecureHttp: true }),
    ).rejects.toThrow(`${trap.origin} asks for credentials`);
    expect(trap.requests).toHaveLength(1);
    expect(trap.requests[0]).not.toHaveProperty('authorization');
    expect(trap.received(user.password)).toBe(false);
  });

  it('sends no bearer token along a Link to another origin', async () => {
    const tokenRegistry = await startRegistry({ tokenAuth: true, htpasswd: user });
    try {
      await pushArtifact(
        `oci://${tokenRegistry.host}/origin/app:v1`,
        fluxArtifact({ 'a.yaml': 'a\n' }),
        { ...creds, allowInsecureHttp: true },
      );
      const hostile = await startRegistryFront({
        target: tokenRegistry.host,
        answer: async (req, real) => {
          const answer = await real();
          if (!req.url.includes('/tags/list') || answer.status !== 200) return answer;
          const next = `<${trap.origin}/v2/origin/app/tags/list?last=v1>; rel="next"`;
          return { ...answer, headers: { ...answer.headers, link: next } };
        },
      });
      fronts.push(hostile);
      await expect(
        listTags(`oci://${hostile.host}/origin/app`, { ...creds, allowInsecureHttp: true }),
      ).rejects.toThrow(`${trap.origin} asks for credentials`);
      // The registry did send a token (so there was one to leak), the trap got none.
      expect(tokenRegistry.tokenServer!.requests.length).toBeGreaterThan(0);
      expect(trap.requests).toHaveLength(1);
      expect(trap.requests[0]).not.toHaveProperty('authorization');
    } finally {
      await tokenRegistry.stop();
    }
  });

  it('sends a blob to an upload Location on another origin without the credentials', async () => {
    const hostile = await front(async (req, real) => {
      const answer = await real();
      if (req.method !== 'POST' || answer.status !== 202) return answer;
      return { ...answer, headers: { ...answer.headers, location: `${trap.origin}/upload/1` } };
    });
    await expect(
      pushArtifact(`oci://${hostile.host}/origin/up:v1`, fluxArtifact({ 'b.yaml': 'b\n' }), {
        ...creds,
        allowInsecureHttp: true,
      }),
    ).rejects.toThrow(`${trap.origin} asks for credentials`);
    expect(trap.requests.map((r) => r.method)).toContain('PUT');
    expect(trap.requests.every((r) => r.authorization === undefined)).toBe(true);
    expect(trap.received(user.password)).toBe(false);
  });

  it('refuses an upload Location that leaves HTTPS for plain HTTP', async () => {
    const hostile = await front(async (req, real) => {
      const answer = await real();
      if (req.method !== 'POST' || answer.status !== 202) return answer;
      return { ...answer, headers: { ...answer.headers, location: `${trap.origin}/upload/1` } };
    }, true);
    await expect(
      pushArtifact(`oci://${hostile.host}/origin/tls-up:v1`, fluxArtifact({ 'c.yaml': 'c\n' }), {
        ...creds,
        caFile: hostile.caFile,
      }),
    ).rejects.toThrow(
      `registry ${hostile.host} sent an upload location on plain HTTP (${trap.origin}/upload/1): refusing to leave HTTPS; pass --allow-insecure-http to allow plain HTTP for this registry`,
    );
    expect(trap.requests).toEqual([]);
  });

  it('refuses a Bearer realm on plain HTTP from an HTTPS registry unless plain HTTP is allowed', async () => {
    const hostile = await front(async (_req, real) => {
      const answer = await real();
      if (answer.status !== 401) return answer;
      const challenge = `Bearer realm="${trap.origin}/token",service="registry"`;
      return { ...answer, headers: { ...answer.headers, 'www-authenticate': challenge } };
    }, true);
    const url = `oci://${hostile.host}/origin/app:v1`;
    await expect(pullArtifact(url, { ...creds, caFile: hostile.caFile })).rejects.toThrow(
      `registry ${hostile.host} sent a token realm on plain HTTP (${trap.origin}/token): refusing to leave HTTPS; pass --allow-insecure-http to allow plain HTTP for this registry`,
    );
    expect(trap.requests).toEqual([]);
    // The user's choice: with plain HTTP allowed the realm is asked, as the registry says.
    await expect(
      pullArtifact(url, { ...creds, caFile: hostile.caFile, allowInsecureHttp: true }),
    ).rejects.toThrow('rejected the credentials');
    expect(trap.received(user.password)).toBe(true);
  });

  it('follows a manifest redirect on the registry with the credentials', async () => {
    const { digest } = (await resolveArtifact(`oci://${registry.host}/origin/app:v1`, {
      ...creds,
      allowInsecureHttp: true,
    }))!;
    const hostile = await front(async (req, real) =>
      req.url.endsWith('/manifests/v1') ? redirect(`/v2/origin/app/manifests/${digest}`) : real(),
    );
    const url = `oci://${hostile.host}/origin/app:v1`;
    const options = { ...creds, allowInsecureHttp: true };
    expect((await pullArtifact(url, options)).digest).toBe(digest);
    expect((await resolveArtifact(url, options))?.digest).toBe(digest);
    expect(hostile.requests.filter((r) => r.url.endsWith('/manifests/v1'))).toHaveLength(2);
  });

  it('follows a manifest redirect to another origin without the credentials', async () => {
    const hostile = await front(async (req, real) =>
      req.url.endsWith('/manifests/v1')
        ? redirect(`${trap.origin}/v2/origin/app/manifests/v1`)
        : real(),
    );
    await expect(
      pullArtifact(`oci://${hostile.host}/origin/app:v1`, { ...creds, allowInsecureHttp: true }),
    ).rejects.toThrow(`${trap.origin} asks for credentials`);
    expect(trap.requests.map((r) => r.url)).toEqual(['/v2/origin/app/manifests/v1']);
    expect(trap.requests[0]).not.toHaveProperty('authorization');
    expect(trap.received(user.password)).toBe(false);
  });

  it('refuses a blob redirect that leaves HTTPS for plain HTTP', async () => {
    const hostile = await front(
      async (req, real) =>
        req.method === 'GET' && req.url.includes('/blobs/sha256:')
          ? redirect(`${trap.origin}${req.url}`)
          : real(),
      true,
    );
    await expect(
      pullArtifact(`oci://${hostile.host}/origin/app:v1`, { ...creds, caFile: hostile.caFile }),
    ).rejects.toThrow(
      `registry ${hostile.host} sent a redirect on plain HTTP (${trap.origin}/v2/origin/app/blobs/sha256:`,
    );
    expect(trap.requests).toEqual([]);
  });
});
