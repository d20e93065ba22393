import { jest } from '@jest/globals';
import { execFile } from 'node:child_process';
import { mkdtempSync, readFileSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { gzipSync } from 'node:zlib';
import {
  diffArtifact,
  listArtifacts,
  listTags,
  pullArtifact,
  pushArtifact,
  RegistryClient,
  resolveArtifact,
  tagArtifact,
} from '../../../src/oci/registry/index.js';
import { buildTar, extractLayer, FLUX_CONTENT_MEDIA_TYPE } from '../../../src/oci/index.js';
import { fluxArtifact, writeTree } from '../../support/artifacts.js';
import { blobOf, rawArtifact } from '../../support/raw-artifacts.js';
import { startFaultProxy } from '../../support/fault-proxy.js';
import { startRegistry, type TestRegistry } from '../../support/registry.js';

// Real registries (and TLS keys) are started per file: allow for a busy machine.
jest.setTimeout(60_000);

const run = promisify(execFile);

// Plain HTTP registry: the operations end to end, and skopeo reading what we pushed.
describe('registry operations against distribution over plain HTTP', () => {
  let registry: TestRegistry;
  const options = { allowInsecureHttp: true, useAuthFile: false } as const;

  beforeAll(async () => {
    registry = await startRegistry();
  });
  afterAll(async () => {
    await registry?.stop();
  });

  const files = {
    'apps/podinfo.yaml': 'apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: podinfo\n',
    'kustomization.yaml': 'resources:\n- apps/podinfo.yaml\n',
  };

  it('pushes, then a re-push of the same content uploads nothing', async () => {
    const artifact = fluxArtifact(files);
    const url = `oci://${registry.host}/fleet/app:v1.0.0`;
    const client = new RegistryClient(registry.host, options);
    try {
      const first = await pushArtifact(url, artifact, { client });
      expect(first.digest).toBe(artifact.manifest.descriptor.digest);
      expect(first.digestReference).toBe(`${registry.host}/fleet/app@${first.digest}`);
      expect(first.uploadedBlobs).toBe(2);
      const before = client.stats.requests;
      const sentBefore = client.stats.bytesSent;
      const again = await pushArtifact(url, artifact, { client });
      expect(again.uploadedBlobs).toBe(0);
      // One HEAD of the tag, nothing sent.
      expect(client.stats.requests - before).toBe(1);
      expect(client.stats.bytesSent - sentBefore).toBe(0);
    } finally {
      await client.close();
    }
  });

  it('uploads nothing for content already in the repository under another tag', async () => {
    const a = fluxArtifact({ 'a.yaml': `a: ${Date.now()}\n` });
    const b = fluxArtifact({ 'b.yaml': `b: ${Date.now()}\n` });
    const client = new RegistryClient(registry.host, options);
    try {
      const repo = `oci://${registry.host}/fleet/moves`;
      await pushArtifact(`${repo}:v1`, a, { client });
      expect((await pushArtifact(`${repo}:v2`, a, { client })).uploadedBlobs).toBe(0);
      await pushArtifact(`${repo}:v1`, b, { client });
      // Moving v1 back to a: HEAD v1 (other digest), HEAD a's manifest (present), PUT v1.
      const before = client.stats.requests;
      const back = await pushArtifact(`${repo}:v1`, a, { client });
      expect(back.uploadedBlobs).toBe(0);
      expect(client.stats.requests - before).toBe(3);
      expect((await resolveArtifact(`${repo}:v1`, { client }))?.digest).toBe(
        a.manifest.descriptor.digest,
      );
    } finally {
      await client.close();
    }
  });

  it('counts the requests of a fresh push: fewer than Flux (11)', async () => {
    const artifact = fluxArtifact({ 'a.yaml': `fresh: ${Date.now()}\n` });
    const client = new RegistryClient(registry.host, options);
    try {
      await pushArtifact(`oci://${registry.host}/fleet/fresh:latest`, artifact, { client });
      // HEAD tag, 2x HEAD blob, 2x (POST + PUT), PUT by digest, PUT tag = 9
      expect(client.stats.requests).toBe(9);
    } finally {
      await client.close();
    }
  });

  it('uses single-request monolithic uploads where the registry takes them', async () => {
    // distribution 2.8 answers a monolithic POST with 202; this proxy answers 201 the way
    // registries that support it do (it does the POST + PUT to the registry behind it).
    const proxy = await startFaultProxy({ target: registry.host, monolithicUploads: true });
    const client = new RegistryClient(proxy.host, options);
    try {
      const artifact = fluxArtifact({ 'm.yaml': `monolithic: ${Date.now()}\n` });
      const pushed = await pushArtifact(`oci://${proxy.host}/fleet/monolithic:v1`, artifact, {
        client,
      });
      expect(pushed.uploadedBlobs).toBe(2);
      // HEAD tag, 2x HEAD blob, 2x monolithic POST, PUT by digest, PUT tag = 7
      expect(client.stats.requests).toBe(7);
      expect(proxy.log.filter((r) => r.outcome === 'monolithic')).toHaveLength(2);
      expect(
        (await pullArtifact(`oci://${registry.host}/fleet/monolithic:v1`, options)).digest,
      ).toBe(pushed.digest);
    } finally {
      await client.close();
      await proxy.stop();
    }
  });

  it('follows a blob redirect to another host without sending it the credentials', async () => {
    const storage = await startFaultProxy({ target: registry.host });
    const front = await startFaultProxy({ target: registry.host, redirectBlobsTo: storage.host });
    try {
      const artifact = fluxArtifact({ 'r.yaml': `redirect: ${Date.now()}\n` });
      await pushArtifact(`oci://${registry.host}/fleet/redirect:v1`, artifact, options);
      // A registry token is sent with every request to the registry once its scheme is
      // known (not with the plain-HTTP probe of a loopback registry), and never elsewhere.
      const credentials = { registryToken: 'registry-secret' };
      const pulled = await pullArtifact(`oci://${front.host}/fleet/redirect:v1`, {
        ...options,
        credentials,
      });
      expect(pulled.layer.descriptor).toEqual(artifact.layers[0].descriptor);
      expect(front.log.some((r) => r.outcome === 'redirected')).toBe(true);
      expect(front.log[0].headers.authorization).toBeUndefined();
      expect(
        front.log.slice(1).every((r) => r.headers.authorization === 'Bearer registry-secret'),
      ).toBe(true);
      expect(storage.log.map((r) => r.url)).toEqual([
        `/v2/fleet/redirect/blobs/${artifact.layers[0].descriptor.digest}`,
      ]);
      expect(storage.log[0].headers.authorization).toBeUndefined();
    } finally {
      await front.stop();
      await storage.stop();
    }
  });

  it('pulls what it pushed, verified, and extracts it', async () => {
    const artifact = fluxArtifact(files, { revision: 'v2@sha1:abc' });
    const pushed = await pushArtifact(`oci://${registry.host}/fleet/pull:v2`, artifact, options);
    const pulled = await pullArtifact(`oci://${registry.host}/fleet/pull:v2`, options);
    expect(pulled.digest).toBe(pushed.digest);
    expect(Buffer.from(pulled.manifestBytes)).toEqual(Buffer.from(artifact.manifest.bytes));
    expect(pulled.manifest.annotations?.['org.opencontainers.image.revision']).toBe('v2@sha1:abc');
    expect(pulled.layer.descriptor).toEqual(artifact.layers[0].descriptor);
    const out = mkdtempSync(join(tmpdir(), 'flux-oci-pull-'));
    try {
      extractLayer(pulled.layer.bytes, out);
      expect(readFileSync(join(out, 'kustomization.yaml'), 'utf8')).toBe(
        files['kustomization.yaml'],
      );
      expect(readdirSync(join(out, 'apps'))).toEqual(['podinfo.yaml']);
    } finally {
      rmSync(out, { recursive: true, force: true });
    }
    // By digest too.
    const byDigest = await pullArtifact(
      `oci://${registry.host}/fleet/pull@${pushed.digest}`,
      options,
    );
    expect(byDigest.digest).toBe(pushed.digest);
  });

  it('tags, resolves and lists; cosign tags are hidden, filters apply', async () => {
    const base = `oci://${registry.host}/fleet/list`;
    const artifact = fluxArtifact({ 'x.yaml': 'x: 1\n' });
    const pushed = await pushArtifact(`${base}:1.0.0`, artifact, { ...options, tags: ['latest'] });
    const tagged = await tagArtifact(
      `${base}:1.0.0`,
      ['1.1.0', '2.0.0', 'v1.2.0', '1.2', 'sha256-abc.sig'],
      options,
    );
    expect(tagged.digest).toBe(pushed.digest);
    expect(tagged.tagged[0]).toBe(`${registry.host}/fleet/list:1.1.0`);

    expect(await resolveArtifact(`${base}:2.0.0`, options)).toMatchObject({
      digest: pushed.digest,
    });
    expect(await resolveArtifact(`${base}:nope`, options)).toBeUndefined();

    expect(await listTags(base, options)).toEqual([
      'v1.2.0',
      'latest',
      '2.0.0',
      '1.2',
      '1.1.0',
      '1.0.0',
    ]);
    // Page by page, following the Link headers.
    expect(await listTags(base, { ...options, pageSize: 2 })).toEqual(
      await listTags(base, options),
    );
    expect(await listTags(base, { ...options, semverFilter: '>=1.1.0 <2.0.0' })).toEqual([
      'v1.2.0',
      '1.1.0',
    ]);
    expect(await listTags(base, { ...options, regexFilter: '^1\\.' })).toEqual([
      '1.2',
      '1.1.0',
      '1.0.0',
    ]);

    const listed = await listArtifacts(base, { ...options, regexFilter: '^2' });
    expect(listed).toEqual([
      {
        url: `${registry.host}/fleet/list:2.0.0`,
        tag: '2.0.0',
        digest: pushed.digest,
        source: 'https://github.com/example/fleet',
        revision: 'main@sha1:0123456789abcdef0123456789abcdef01234567',
      },
    ]);
  });

  it('diffs a local build against the remote layer', async () => {
    const url = `oci://${registry.host}/fleet/diff:latest`;
    await pushArtifact(url, fluxArtifact(files), options);
    expect(
      (await diffArtifact(url, fluxArtifact(files, { revision: 'other' }), options)).same,
    ).toBe(true);
    const changed = fluxArtifact({ ...files, 'new.yaml': 'n: 1\n' });
    const diff = await diffArtifact(url, changed, options);
    expect(diff.same).toBe(false);
    expect(diff.local.digest).not.toBe(diff.remote.digest);
  });

  it('diffs by content when the remote layer was compressed by another encoder', async () => {
    const root = writeTree(files);
    try {
      // The same tar, gzip'd by zlib at level 9: other bytes, as Flux's Go encoder gives.
      const foreign = blobOf(
        FLUX_CONTENT_MEDIA_TYPE,
        gzipSync(buildTar({ path: root }), { level: 9 }),
      );
      const url = `oci://${registry.host}/fleet/foreign:v1`;
      await pushArtifact(url, rawArtifact([foreign]), options);
      const local = fluxArtifact(files);
      expect(local.layers[0].descriptor.digest).not.toBe(foreign.descriptor.digest);
      expect(await diffArtifact(url, local, options)).toMatchObject({
        same: true,
        comparedBy: 'tar',
      });
      // Without the tar digest, as Flux: different.
      expect(await diffArtifact(url, local.layers[0].descriptor, options)).toMatchObject({
        same: false,
        comparedBy: 'layer',
      });
      const changed = fluxArtifact({ ...files, 'kustomization.yaml': 'resources: []\n' });
      expect(await diffArtifact(url, changed, options)).toMatchObject({
        same: false,
        comparedBy: 'tar',
      });
    } finally {
      rmSync(root, { recursive: true, force: true });
    }
  });

  it('fails with a clear message for a missing tag and a missing repository', async () => {
    await expect(pullArtifact(`oci://${registry.host}/fleet/app:missing`, options)).rejects.toThrow(
      `artifact ${registry.host}/fleet/app:missing not found`,
    );
    await expect(listTags(`oci://${registry.host}/nothing/here`, options)).rejects.toThrow(
      `repository ${registry.host}/nothing/here not found`,
    );
  });

  it('pushes content skopeo can read back', async () => {
    const artifact = fluxArtifact(files);
    const url = `oci://${registry.host}/fleet/skopeo:v1`;
    await pushArtifact(url, artifact, options);
    const ref = `docker://${registry.host}/fleet/skopeo:v1`;
    const raw = await run('skopeo', ['inspect', '--raw', '--tls-verify=false', ref]);
    expect(raw.stdout).toBe(Buffer.from(artifact.manifest.bytes).toString('utf8'));
    const dir = mkdtempSync(join(tmpdir(), 'flux-oci-skopeo-'));
    try {
      await run('skopeo', ['copy', '--src-tls-verify=false', ref, `dir:${dir}`]);
      const layerHex = artifact.layers[0].descriptor.digest.slice('sha256:'.length);
      expect(readFileSync(join(dir, layerHex))).toEqual(Buffer.from(artifact.layers[0].bytes));
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
