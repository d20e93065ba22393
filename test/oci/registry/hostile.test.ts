import { jest } from '@jest/globals';
import {
  existsSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { extractLayer, FLUX_CONTENT_MEDIA_TYPE } from '../../../src/oci/index.js';
import { pullArtifact, pushArtifact } from '../../../src/oci/registry/index.js';
import { pullArtifactToDirectory, pullArtifactToFile } from '../../../src/oci/registry/pull.js';
import { startFaultProxy } from '../../support/fault-proxy.js';
import { blobOf, rawArtifact, rawTarGz, type RawTarEntry } from '../../support/raw-artifacts.js';
import { startRegistry, type TestRegistry } from '../../support/registry.js';

// Real registries (and TLS keys) are started per file: allow for a busy machine.
jest.setTimeout(60_000);

// Pulled artifacts are untrusted: crafted layers and a registry (or proxy) that lies.
describe('pulling hostile artifacts', () => {
  let registry: TestRegistry;
  let work: string;
  const options = { allowInsecureHttp: true, useAuthFile: false, retries: 0 } as const;

  beforeAll(async () => {
    registry = await startRegistry();
    work = mkdtempSync(join(tmpdir(), 'flux-oci-hostile-'));
  });
  afterAll(async () => {
    await registry?.stop();
    rmSync(work, { recursive: true, force: true });
  });

  let n = 0;
  /** How a pulled layer reaches the target: in memory, or streamed and staged as `pull artifact` does. */
  const extractions = [
    [
      'pullArtifact + extractLayer (in memory)',
      async (url: string, target: string) =>
        void extractLayer((await pullArtifact(url, options)).layer.bytes, target),
    ],
    [
      'pullArtifactToDirectory (streamed, staged)',
      async (url: string, target: string) =>
        void (await pullArtifactToDirectory(url, target, options)),
    ],
  ] as const;

  describe.each(extractions)('%s', (_how, extract) => {
    /** Pushes a one-layer artifact of `entries`, pulls it and extracts it into a fresh dir under `work/<n>/target`. */
    async function pullAndExtract(
      entries: RawTarEntry[],
    ): Promise<{ target: string; outside: string }> {
      const layer = blobOf(FLUX_CONTENT_MEDIA_TYPE, await rawTarGz(entries));
      const url = `oci://${registry.host}/hostile/layer:t${n}`;
      await pushArtifact(url, rawArtifact([layer]), options);
      const outside = join(work, String(n++));
      const target = join(outside, 'target');
      mkdirSync(target, { recursive: true });
      await extract(url, target);
      return { target, outside };
    }

    it.each([
      ['a parent-directory name', '../escape.yaml'],
      ['an absolute name', '/tmp/flux-oci-absolute-escape.yaml'],
      ['a backslash name', '..\\escape.yaml'],
      ['a nested parent-directory name', 'ok/../../escape.yaml'],
    ])('refuses %s and writes nothing', async (_what, name) => {
      const before = n;
      await expect(
        pullAndExtract([
          { name: 'fine.yaml', content: 'a: 1\n' },
          { name, content: 'pwned\n' },
        ]),
      ).rejects.toThrow('refusing layer entry');
      const dir = join(work, String(before));
      // Nothing beside the target either: no staging directory is left.
      expect(readdirSync(dir)).toEqual(['target']);
      expect(readdirSync(join(dir, 'target'))).toEqual([]);
      expect(existsSync('/tmp/flux-oci-absolute-escape.yaml')).toBe(false);
    });

    it('skips links, so a file below a link lands inside the target', async () => {
      const { target, outside } = await pullAndExtract([
        { name: 'evil', type: 'symlink', linkname: '..' },
        { name: 'hard', type: 'link', linkname: '/etc/passwd' },
        { name: 'evil/pwned.yaml', content: 'pwned\n' },
      ]);
      expect(readdirSync(outside)).toEqual(['target']);
      expect(existsSync(join(target, 'evil', 'pwned.yaml'))).toBe(true);
      expect(existsSync(join(target, 'hard'))).toBe(false);
    });
  });

  it('refuses a layer that decompresses beyond the limit', async () => {
    const bomb = gzipSync(Buffer.alloc(8 * 1024 * 1024));
    const layer = blobOf(FLUX_CONTENT_MEDIA_TYPE, bomb);
    const url = `oci://${registry.host}/hostile/bomb:v1`;
    await pushArtifact(url, rawArtifact([layer]), options);
    const pulled = await pullArtifact(url, options);
    expect(() =>
      extractLayer(pulled.layer.bytes, join(work, 'bomb'), { maxSize: 1024 * 1024 }),
    ).toThrow();
    expect(existsSync(join(work, 'bomb'))).toBe(false);
  });

  it('refuses a layer larger than its manifest says', async () => {
    const layer = blobOf(
      FLUX_CONTENT_MEDIA_TYPE,
      await rawTarGz([{ name: 'a.yaml', content: 'x'.repeat(5000) }]),
    );
    const lying = { ...layer, descriptor: { ...layer.descriptor, size: 10 } };
    const url = `oci://${registry.host}/hostile/size:v1`;
    await pushArtifact(url, rawArtifact([lying]), options);
    await expect(pullArtifact(url, options)).rejects.toThrow(
      `registry ${registry.host} sent more than 10 bytes`,
    );
  });

  it('detects a blob and a manifest tampered with on the way', async () => {
    const layer = blobOf(
      FLUX_CONTENT_MEDIA_TYPE,
      await rawTarGz([{ name: 'a.yaml', content: 'honest\n' }]),
    );
    const artifact = rawArtifact([layer]);
    await pushArtifact(`oci://${registry.host}/hostile/tamper:v1`, artifact, options);
    const flip = (body: Buffer): Buffer => {
      const copy = Buffer.from(body);
      copy[copy.length - 10] ^= 0xff;
      return copy;
    };
    const blobProxy = await startFaultProxy({
      target: registry.host,
      tamper: (r, body) => (r.method === 'GET' && r.url.includes('/blobs/') ? flip(body) : body),
    });
    try {
      await expect(
        pullArtifact(`oci://${blobProxy.host}/hostile/tamper:v1`, options),
      ).rejects.toThrow('does not match its digest');
      // Streamed to a file (pull artifact's way): refused too, and no file is left.
      const layerFile = join(work, 'tampered-layer.tgz');
      await expect(
        pullArtifactToFile(`oci://${blobProxy.host}/hostile/tamper:v1`, layerFile, options),
      ).rejects.toThrow('does not match its digest');
      expect(existsSync(layerFile)).toBe(false);
      // Extracted as it downloads (pull artifact's way): refused by its digest, and the target
      // keeps what it had, with no staging directory left beside it.
      const parent = mkdtempSync(join(work, 'tampered-'));
      const target = join(parent, 'target');
      mkdirSync(target);
      writeFileSync(join(target, 'a.yaml'), 'mine\n');
      await expect(
        pullArtifactToDirectory(`oci://${blobProxy.host}/hostile/tamper:v1`, target, options),
      ).rejects.toThrow('does not match its digest');
      expect(readdirSync(parent)).toEqual(['target']);
      expect(readdirSync(target)).toEqual(['a.yaml']);
      expect(readFileSync(join(target, 'a.yaml'), 'utf8')).toBe('mine\n');
    } finally {
      await blobProxy.stop();
    }
    const manifestProxy = await startFaultProxy({
      target: registry.host,
      tamper: (r, body) =>
        r.method === 'GET' && r.url.includes('/manifests/')
          ? Buffer.from(body.toString().replace('hostile', 'h0stile'))
          : body,
    });
    try {
      await expect(
        pullArtifact(
          `oci://${manifestProxy.host}/hostile/tamper@${artifact.manifest.descriptor.digest}`,
          options,
        ),
      ).rejects.toThrow('does not match its digest');
    } finally {
      await manifestProxy.stop();
    }
  });

  it('selects layers as source-controller: the Flux media type first, else layer 0', async () => {
    const other = blobOf('application/vnd.example.other', Buffer.from('not a tarball'));
    const flux = blobOf(
      FLUX_CONTENT_MEDIA_TYPE,
      await rawTarGz([{ name: 'a.yaml', content: 'a\n' }]),
    );
    await pushArtifact(
      `oci://${registry.host}/hostile/layers:two`,
      rawArtifact([other, flux]),
      options,
    );
    expect(
      (await pullArtifact(`oci://${registry.host}/hostile/layers:two`, options)).layer.descriptor,
    ).toEqual(flux.descriptor);
    const plain = blobOf(
      'application/vnd.example.tar+gzip',
      await rawTarGz([{ name: 'b.yaml', content: 'b\n' }]),
    );
    await pushArtifact(
      `oci://${registry.host}/hostile/layers:plain`,
      rawArtifact([plain, other]),
      options,
    );
    expect(
      (await pullArtifact(`oci://${registry.host}/hostile/layers:plain`, options)).layer.descriptor,
    ).toEqual(plain.descriptor);
  });

  it('refuses an image index', async () => {
    const flux = blobOf(
      FLUX_CONTENT_MEDIA_TYPE,
      await rawTarGz([{ name: 'a.yaml', content: 'a\n' }]),
    );
    const inner = rawArtifact([flux]);
    await pushArtifact(`oci://${registry.host}/hostile/index:inner`, inner, options);
    const index = rawArtifact([], {
      mediaType: 'application/vnd.oci.image.index.v1+json',
      config: undefined,
      layers: undefined,
      manifests: [inner.manifest.descriptor],
    });
    await pushArtifact(
      `oci://${registry.host}/hostile/index:v1`,
      { ...index, layers: [] },
      options,
    );
    await expect(pullArtifact(`oci://${registry.host}/hostile/index:v1`, options)).rejects.toThrow(
      'not an OCI image manifest',
    );
  });
});
