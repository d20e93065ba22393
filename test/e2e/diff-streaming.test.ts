// diff artifact streams: a tree past the old 100 MiB limit, pushed by the real Flux CLI v2.9.5
// (Go's gzip: other layer bytes, so the tars are compared) and by flux-oci (equal layers),
// diffs through the real CLI against a real registry with peak memory under a fixed bound.
// Half the tree is pseudo-random (incompressible), so the gzipped layer itself is larger than
// the bound: a diff that held the local tar or layer, or the downloaded one, fails the bound.
// The rest is sparse zeros, cheap to make.
import { createCipheriv } from 'node:crypto';
import {
  closeSync,
  ftruncateSync,
  mkdirSync,
  mkdtempSync,
  openSync,
  rmSync,
  writeSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { repoRoot } from './harness/tools.js';
import { FLUX_CLI_BUILD_TIMEOUT_MS, fluxBinary, runFluxCli } from '../support/flux-cli.js';
import { runWithPeakRss, type MeasuredRun } from '../support/peak-rss.js';
import { startRegistry, type TestRegistry } from '../support/registry.js';

/** Peak resident memory a diff may reach, whatever the artifact's size (as push and pull). */
const MAX_PEAK_RSS_MIB = 110;
const MIB = 1024 * 1024;
const FILE_BYTES = 128 * MIB;
/** Fewer /proc samples than this and the peak says nothing: the run is not measured. */
const MIN_SAMPLES = 5;
const SOURCE = 'https://github.com/example/large';
const REVISION = 'main@sha1:0123456789abcdef0123456789abcdef01234567';

const work = mkdtempSync(join(tmpdir(), 'flux-oci-diff-streaming-'));
const home = join(work, 'home');
let registry: TestRegistry;

beforeAll(async () => {
  fluxBinary();
  mkdirSync(home);
  registry = await startRegistry();
}, FLUX_CLI_BUILD_TIMEOUT_MS);
afterAll(async () => {
  await registry?.stop();
  rmSync(work, { recursive: true, force: true });
});

/** Runs `flux-oci diff artifact`, reading its peak RSS from /proc while it runs. */
const diff = (url: string, tree: string): Promise<MeasuredRun> =>
  runWithPeakRss(process.execPath, [
    join(repoRoot, 'bin', 'flux-oci.js'),
    'diff',
    'artifact',
    url,
    `--path=${tree}`,
  ]);

/** Writes FILE_BYTES of seeded pseudo-random bytes (AES-CTR over zeros). */
function writeRandomFile(path: string): void {
  const cipher = createCipheriv('aes-128-ctr', Buffer.alloc(16, 7), Buffer.alloc(16));
  const zeros = Buffer.alloc(8 * MIB);
  const fd = openSync(path, 'w');
  try {
    for (let written = 0; written < FILE_BYTES; written += zeros.length) {
      writeSync(fd, cipher.update(zeros));
    }
  } finally {
    closeSync(fd);
  }
}

function expectMeasuredUnderBound(run: MeasuredRun): void {
  expect(run.samples).toBeGreaterThanOrEqual(MIN_SAMPLES);
  expect(run.peakRssMib).toBeGreaterThan(0);
  expect(run.peakRssMib).toBeLessThan(MAX_PEAK_RSS_MIB);
}

it(`diffs a tree of ${(2 * FILE_BYTES) / MIB} MiB (${FILE_BYTES / MIB} MiB incompressible) with peak memory under ${MAX_PEAK_RSS_MIB} MiB: same as Flux's push and its own, a changed file differs`, async () => {
  const tree = join(work, 'tree');
  mkdirSync(join(tree, 'data'), { recursive: true });
  writeRandomFile(join(tree, 'data', 'random.bin'));
  const zeros = join(tree, 'data', 'zeros.bin');
  const fd = openSync(zeros, 'w');
  ftruncateSync(fd, FILE_BYTES); // sparse: no disk used, reads as zeros
  closeSync(fd);

  const byFlux = `oci://${registry.host}/streaming/diff:by-flux`;
  const pushed = await runFluxCli(
    ['push', 'artifact', byFlux, `--path=${tree}`, `--source=${SOURCE}`, `--revision=${REVISION}`],
    home,
  );
  expect(pushed.stderr).toContain('artifact successfully pushed');
  const byOurs = `oci://${registry.host}/streaming/diff:by-ours`;
  const ourPush = await runWithPeakRss(process.execPath, [
    join(repoRoot, 'bin', 'flux-oci.js'),
    'push',
    'artifact',
    byOurs,
    `--path=${tree}`,
    `--source=${SOURCE}`,
    `--revision=${REVISION}`,
  ]);
  expect(ourPush.stderr).toContain('artifact successfully pushed');

  // Flux's layer: another gzip, so the whole tar is downloaded, decompressed and hashed.
  const sameAsFlux = await diff(byFlux, tree);
  // Progress of the download, then the verdict.
  expect(sameAsFlux.stderr).toContain('downloading sha256:');
  expect(sameAsFlux.stderr.endsWith('\n✔ no changes detected\n')).toBe(true);
  expect(sameAsFlux.code).toBe(0);
  // Our own push: equal layers (the tree is read and compressed, nothing downloaded).
  const sameAsOurs = await diff(byOurs, tree);
  expect(sameAsOurs.stderr).toBe('✔ no changes detected\n');
  expect(sameAsOurs.code).toBe(0);

  // One byte changed at the end of the zero-filled file: same size, other content.
  const changed = openSync(zeros, 'r+');
  writeSync(changed, Buffer.from([1]), 0, 1, FILE_BYTES - 1);
  closeSync(changed);
  const different = await diff(byFlux, tree);
  expect(
    different.stderr.endsWith('\n✗ the remote artifact contents differs from the local one\n'),
  ).toBe(true);
  expect(different.code).toBe(1);
  // The oracle agrees on the changed tree.
  expect((await runFluxCli(['diff', 'artifact', byFlux, `--path=${tree}`], home)).code).toBe(1);

  process.stderr.write(
    `diff streaming: peak RSS ${sameAsFlux.peakRssMib.toFixed(0)} MiB against Flux's layer, ` +
      `${sameAsOurs.peakRssMib.toFixed(0)} MiB against ours, ${different.peakRssMib.toFixed(0)} MiB ` +
      `for a changed file, for ${(2 * FILE_BYTES) / MIB} MiB, ${FILE_BYTES / MIB} MiB of it random\n`,
  );
  expectMeasuredUnderBound(sameAsFlux);
  expectMeasuredUnderBound(sameAsOurs);
  expectMeasuredUnderBound(different);
}, 600_000);
