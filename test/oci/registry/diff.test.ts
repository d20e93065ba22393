// diffArtifactTree, what `flux-oci diff artifact` runs, on a real registry with the real Flux
// CLI v2.9.5 as the other pusher and as the oracle: a tree pushed as `push artifact` pushes it
// equals by its layer in one request; one the Flux CLI pushed (Go's gzip) equals by its tar,
// also past the old 100 MiB limit; a changed file differs; bad layers are named in one line.
import { jest } from '@jest/globals';
import { createHash } from 'node:crypto';
import {
  closeSync,
  ftruncateSync,
  mkdirSync,
  mkdtempSync,
  openSync,
  truncateSync,
  rmSync,
  writeFileSync,
  writeSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { UserError } from '../../../src/errors.js';
import { buildTar } from '../../../src/oci/content/build.js';
import { buildStreamedArtifact, userCompressor } from '../../../src/oci/content/layer-stream.js';
import { FLUX_CONTENT_MEDIA_TYPE } from '../../../src/oci/content/media-types.js';
import { RegistryClient } from '../../../src/oci/registry/client.js';
import { diffArtifactTree } from '../../../src/oci/registry/diff.js';
import { pushArtifact } from '../../../src/oci/registry/push.js';
import { FLUX_CLI_BUILD_TIMEOUT_MS, fluxBinary, runFluxCli } from '../../support/flux-cli.js';
import { blobOf, rawArtifact } from '../../support/raw-artifacts.js';
import { startRegistry, type TestRegistry } from '../../support/registry.js';

jest.setTimeout(120_000);

const MIB = 1024 * 1024;
const options = { allowInsecureHttp: true, useAuthFile: false } as const;
const meta = {
  source: 'https://github.com/example/fleet',
  revision: 'main@sha1:0123456789abcdef0123456789abcdef01234567',
};

/** Base64 noise, `bytes` long: several 1 MiB blocks of the native deflate. */
function noise(seed: string, bytes: number): string {
  let out = '';
  for (let i = 0; out.length < bytes; i++) {
    out += createHash('sha512').update(`${seed}/${i}`).digest('base64');
  }
  return out.slice(0, bytes);
}

/** Manifests, 3 MB of text and `zeroBytes` of a sparse zero-filled file. */
function writeTree(root: string, zeroBytes: number): string {
  mkdirSync(join(root, 'data'), { recursive: true });
  writeFileSync(join(root, 'kustomization.yaml'), 'resources:\n- app.yaml\n');
  writeFileSync(join(root, 'app.yaml'), 'kind: ConfigMap\n');
  writeFileSync(join(root, 'data', 'text.txt'), noise('text', 3_000_000));
  const fd = openSync(join(root, 'data', 'zeros.bin'), 'w');
  ftruncateSync(fd, zeroBytes); // sparse: no disk used, reads as zeros
  closeSync(fd);
  return root;
}

let registry: TestRegistry;
let work: string;
let home: string;
let client: RegistryClient;
const url = (repo: string): string => `oci://${registry.host}/diff/${repo}:v1`;

async function fluxPush(repo: string, tree: string): Promise<void> {
  const pushed = await runFluxCli(
    [
      'push',
      'artifact',
      url(repo),
      `--path=${tree}`,
      `--source=${meta.source}`,
      `--revision=${meta.revision}`,
    ],
    home,
  );
  expect(pushed.stderr).toContain('artifact successfully pushed');
}

/** `flux diff artifact`'s exit code: 0 same, 1 different. */
async function fluxDiff(repo: string, tree: string): Promise<number> {
  return (await runFluxCli(['diff', 'artifact', url(repo), `--path=${tree}`], home)).code;
}

beforeAll(async () => {
  fluxBinary();
  registry = await startRegistry();
  work = mkdtempSync(join(tmpdir(), 'flux-oci-diff-'));
  home = join(work, 'home');
  mkdirSync(home);
  client = new RegistryClient(registry.host, options);
}, FLUX_CLI_BUILD_TIMEOUT_MS);
afterAll(async () => {
  await client?.close();
  await registry?.stop();
  rmSync(work, { recursive: true, force: true });
});

it('a tree pushed as `push artifact` pushes it equals by its layer: one manifest request', async () => {
  const tree = writeTree(join(work, 'ours'), 2 * MIB);
  const artifact = await buildStreamedArtifact(
    { path: tree, ...meta },
    join(work, 'ours.tar.gz'),
    userCompressor(false),
  );
  await pushArtifact(url('ours'), artifact, { client });
  const before = { ...client.stats };
  const diff = await diffArtifactTree(url('ours'), { path: tree }, { client });
  expect(diff).toEqual({
    same: true,
    comparedBy: 'layer',
    local: artifact.layers[0].descriptor,
    remote: artifact.layers[0].descriptor,
  });
  // The manifest only, as `flux diff artifact`: the layer is not downloaded.
  expect(client.stats.requests - before.requests).toBe(1);
  expect(client.stats.bytesReceived - before.bytesReceived).toBeLessThan(4096);
});

it('an artifact the Flux CLI pushed from the same tree (over 100 MiB) equals by its tar; a changed file differs, as Flux says', async () => {
  const tree = writeTree(join(work, 'flux'), 101 * MIB);
  await fluxPush('by-flux', tree);
  expect(await fluxDiff('by-flux', tree)).toBe(0);
  const same = await diffArtifactTree(url('by-flux'), { path: tree }, { client });
  expect(same).toMatchObject({ same: true, comparedBy: 'tar' });
  // Go's gzip: another layer digest for the same tar.
  expect(same.local.digest).not.toBe(same.remote.digest);

  // One byte changed at the end of the zero-filled file: same size, other content.
  const fd = openSync(join(tree, 'data', 'zeros.bin'), 'r+');
  writeSync(fd, Buffer.from([1]), 0, 1, 101 * MIB - 1);
  closeSync(fd);
  expect(await fluxDiff('by-flux', tree)).toBe(1);
  expect(await diffArtifactTree(url('by-flux'), { path: tree }, { client })).toMatchObject({
    same: false,
    comparedBy: 'tar',
  });

  // A caller may still bound what it decompresses.
  await expect(
    diffArtifactTree(url('by-flux'), { path: tree }, { client, maxUncompressedBytes: 100 * MIB }),
  ).rejects.toThrow(/decompresses to more than 104857600 bytes; refusing it/);

  // A local tree smaller than the remote one: different once the remote tar outgrows it
  // (the rest is not decompressed), as Flux says.
  truncateSync(join(tree, 'data', 'zeros.bin'), MIB);
  expect(await fluxDiff('by-flux', tree)).toBe(1);
  expect(await diffArtifactTree(url('by-flux'), { path: tree }, { client })).toMatchObject({
    same: false,
    comparedBy: 'tar',
  });
});

it('names a remote layer that is not gzip, or not valid gzip, in one line', async () => {
  const tree = writeTree(join(work, 'bad'), 0);
  const tar = buildTar({ path: tree });
  const layers = {
    'plain-tar': blobOf(FLUX_CONTENT_MEDIA_TYPE, tar),
    'cut-gzip': blobOf(FLUX_CONTENT_MEDIA_TYPE, gzipSync(tar).subarray(0, 2000)),
  };
  for (const [repo, layer] of Object.entries(layers)) {
    await pushArtifact(url(repo), rawArtifact([layer]), { client });
  }
  const refusal = (repo: string): Promise<unknown> =>
    diffArtifactTree(url(repo), { path: tree }, { client }).catch((err: unknown) => err);
  const plain = await refusal('plain-tar');
  expect(plain).toBeInstanceOf(UserError);
  expect((plain as Error).message).toBe(
    `layer ${layers['plain-tar'].descriptor.digest} of ${registry.host}/diff/plain-tar:v1 is not gzip-compressed (it does not start with 1f 8b); it is not a Flux artifact's layer: push it with flux-oci or flux push artifact`,
  );
  const cut = await refusal('cut-gzip');
  expect(cut).toBeInstanceOf(UserError);
  expect((cut as Error).message).toBe(
    `layer ${layers['cut-gzip'].descriptor.digest} of ${registry.host}/diff/cut-gzip:v1 is not valid gzip: unexpected end of file; the artifact is damaged: push it again`,
  );
});

it('asks the registry before reading the tree: a missing tag fails without it', async () => {
  await expect(
    diffArtifactTree(url('missing'), { path: join(work, 'no-such-tree') }, { client }),
  ).rejects.toThrow(`artifact ${registry.host}/diff/missing:v1 not found`);
});
