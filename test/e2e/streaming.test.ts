// push artifact and pull artifact stream: a tree larger than the old 1 GiB cap goes through
// the real CLI and a real registry, and the peak memory of each run stays under a fixed bound
// however large the tree. Part of the tree is pseudo-random (incompressible), so the gzipped
// layer itself is larger than the bound: a push or pull that held the whole blob in memory
// (upload body, download buffer) fails the bound. The rest is sparse zeros, cheap to make.
import { createCipheriv, createHash } from 'node:crypto';
import {
  closeSync,
  createReadStream,
  ftruncateSync,
  mkdirSync,
  mkdtempSync,
  openSync,
  readdirSync,
  readFileSync,
  rmSync,
  statSync,
  writeSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { repoRoot } from './harness/tools.js';
import { runWithPeakRss, type MeasuredRun } from '../support/peak-rss.js';
import { startRegistry, type TestRegistry } from '../support/registry.js';

/** Peak resident memory any push or pull may reach, whatever the artifact's size. */
const MAX_PEAK_RSS_MIB = 110;
const MIB = 1024 * 1024;
const FILE_BYTES = 128 * MIB;
/** Files 0..RANDOM_FILES-1 hold pseudo-random bytes (384 MiB: the layer is ~385 MiB). */
const RANDOM_FILES = 3;
const FILES = 9;
/** Fewer /proc samples than this and the peak says nothing: the run is not measured. */
const MIN_SAMPLES = 5;

const work = mkdtempSync(join(tmpdir(), 'flux-oci-streaming-'));
let registry: TestRegistry;

beforeAll(async () => {
  registry = await startRegistry();
});
afterAll(async () => {
  await registry?.stop();
  rmSync(work, { recursive: true, force: true });
});

/** Runs flux-oci, reading its peak RSS from /proc while it runs. */
const runMeasured = (args: readonly string[]): Promise<MeasuredRun> =>
  runWithPeakRss(process.execPath, [join(repoRoot, 'bin', 'flux-oci.js'), ...args]);

/** Writes FILE_BYTES of seeded pseudo-random bytes (AES-CTR over zeros); returns their sha256. */
function writeRandomFile(path: string, seed: number): string {
  const key = Buffer.alloc(16, seed);
  const cipher = createCipheriv('aes-128-ctr', key, Buffer.alloc(16));
  const zeros = Buffer.alloc(8 * MIB);
  const hash = createHash('sha256');
  const fd = openSync(path, 'w');
  try {
    for (let written = 0; written < FILE_BYTES; written += zeros.length) {
      const chunk = cipher.update(zeros);
      hash.update(chunk);
      writeSync(fd, chunk);
    }
  } finally {
    closeSync(fd);
  }
  return hash.digest('hex');
}

async function sha256Of(path: string): Promise<string> {
  const hash = createHash('sha256');
  for await (const chunk of createReadStream(path)) hash.update(chunk as Buffer);
  return hash.digest('hex');
}

const fileName = (i: number): string =>
  join(`dir-${i % 3}`, i < RANDOM_FILES ? `random-${i}.bin` : `zeros-${i}.bin`);

function expectMeasuredUnderBound(run: MeasuredRun): void {
  expect(run.samples).toBeGreaterThanOrEqual(MIN_SAMPLES);
  expect(run.peakRssMib).toBeGreaterThan(0);
  expect(run.peakRssMib).toBeLessThan(MAX_PEAK_RSS_MIB);
}

it(`pushes and pulls a tree of ${(FILES * FILE_BYTES) / 2 ** 30} GiB (${(RANDOM_FILES * FILE_BYTES) / MIB} MiB incompressible) with peak memory under ${MAX_PEAK_RSS_MIB} MiB`, async () => {
  const tree = join(work, 'tree');
  const randomDigests: string[] = [];
  for (let i = 0; i < FILES; i++) {
    mkdirSync(join(tree, `dir-${i % 3}`), { recursive: true });
    if (i < RANDOM_FILES) {
      randomDigests.push(writeRandomFile(join(tree, fileName(i)), i + 1));
    } else {
      const fd = openSync(join(tree, fileName(i)), 'w');
      ftruncateSync(fd, FILE_BYTES); // sparse: no disk used, reads as zeros
      closeSync(fd);
    }
  }
  const url = `oci://${registry.host}/streaming/large:v1`;
  const push = await runMeasured([
    'push',
    'artifact',
    url,
    `--path=${tree}`,
    '--source=https://github.com/example/large',
    '--revision=main@sha1:0123456789abcdef0123456789abcdef01234567',
  ]);
  expect(push.stderr).toContain('artifact successfully pushed');
  expect(push.code).toBe(0);
  // The tree is only needed again for its digests; free the disk before the pull writes.
  rmSync(tree, { recursive: true, force: true });

  const out = join(work, 'out');
  mkdirSync(out);
  const pull = await runMeasured(['pull', 'artifact', url, `--output=${out}`]);
  expect(pull.stderr).toContain('artifact content extracted');
  expect(pull.code).toBe(0);
  process.stderr.write(
    `streaming: push peak RSS ${push.peakRssMib.toFixed(0)} MiB (${push.samples} samples), ` +
      `pull ${pull.peakRssMib.toFixed(0)} MiB (${pull.samples} samples) for ` +
      `${(FILES * FILE_BYTES) / MIB} MiB, ${(RANDOM_FILES * FILE_BYTES) / MIB} MiB of it random\n`,
  );
  expectMeasuredUnderBound(push);
  expectMeasuredUnderBound(pull);
  // The pull's staging directory (beside --output) is gone.
  expect(readdirSync(work)).toEqual(['out']);

  for (let i = 0; i < FILES; i++) {
    expect(statSync(join(out, fileName(i))).size).toBe(FILE_BYTES);
  }
  // Every random byte arrived as written; spot-check the end of the last zero-filled file.
  for (let i = 0; i < RANDOM_FILES; i++) {
    expect(await sha256Of(join(out, fileName(i)))).toBe(randomDigests[i]);
  }
  const last = readFileSync(join(out, fileName(FILES - 1)));
  expect(last.subarray(FILE_BYTES - 4096).every((b) => b === 0)).toBe(true);
}, 600_000);
