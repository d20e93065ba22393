// push artifact and pull artifact stream: a tree larger than the old 1 GiB cap (zero-filled
// sparse files, cheap to make) goes through the real CLI and a real registry, and the peak
// memory of each run stays under a fixed bound however large the tree.
import { spawn } from 'node:child_process';
import {
  closeSync,
  mkdirSync,
  mkdtempSync,
  openSync,
  readFileSync,
  rmSync,
  statSync,
  ftruncateSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { repoRoot } from './harness/tools.js';
import { startRegistry, type TestRegistry } from '../support/registry.js';

/** Peak resident memory any push or pull may reach, whatever the artifact's size. */
const MAX_PEAK_RSS_MIB = 200;
const FILES = 9;
const FILE_BYTES = 128 * 1024 * 1024;

const work = mkdtempSync(join(tmpdir(), 'flux-oci-streaming-'));
let registry: TestRegistry;

beforeAll(async () => {
  registry = await startRegistry();
});
afterAll(async () => {
  await registry?.stop();
  rmSync(work, { recursive: true, force: true });
});

interface MeasuredRun {
  readonly code: number;
  readonly stderr: string;
  /** VmHWM of the process: its peak resident set, in MiB. */
  readonly peakRssMib: number;
}

/** Runs flux-oci, reading its peak RSS (VmHWM) from /proc while it runs. */
function runMeasured(args: readonly string[]): Promise<MeasuredRun> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [join(repoRoot, 'bin', 'flux-oci.js'), ...args], {
      stdio: ['ignore', 'ignore', 'pipe'],
    });
    let stderr = '';
    let peakKib = 0;
    const sample = (): void => {
      try {
        const status = readFileSync(`/proc/${child.pid}/status`, 'utf8');
        const hwm = /VmHWM:\s+(\d+) kB/.exec(status);
        if (hwm) peakKib = Math.max(peakKib, Number(hwm[1]));
      } catch {
        // The process has exited between two samples; VmHWM only grows, the last one stands.
      }
    };
    const timer = setInterval(sample, 20);
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    child.on('error', reject);
    child.on('exit', () => sample());
    child.on('close', (code) => {
      clearInterval(timer);
      resolve({ code: code ?? -1, stderr, peakRssMib: peakKib / 1024 });
    });
  });
}

it(`pushes and pulls a tree of ${(FILES * FILE_BYTES) / 2 ** 30} GiB with peak memory under ${MAX_PEAK_RSS_MIB} MiB`, async () => {
  const tree = join(work, 'tree');
  for (let i = 0; i < FILES; i++) {
    mkdirSync(join(tree, `dir-${i % 3}`), { recursive: true });
    const fd = openSync(join(tree, `dir-${i % 3}`, `zeros-${i}.bin`), 'w');
    ftruncateSync(fd, FILE_BYTES); // sparse: no disk used, reads as zeros
    closeSync(fd);
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
  expect(push.peakRssMib).toBeLessThan(MAX_PEAK_RSS_MIB);

  const out = join(work, 'out');
  mkdirSync(out);
  const pull = await runMeasured(['pull', 'artifact', url, `--output=${out}`]);
  expect(pull.stderr).toContain('artifact content extracted');
  expect(pull.code).toBe(0);
  expect(pull.peakRssMib).toBeLessThan(MAX_PEAK_RSS_MIB);
  for (let i = 0; i < FILES; i++) {
    expect(statSync(join(out, `dir-${i % 3}`, `zeros-${i}.bin`)).size).toBe(FILE_BYTES);
  }
  // Every byte arrived as written: spot-check a piece at the end of the last file.
  const last = readFileSync(join(out, `dir-${(FILES - 1) % 3}`, `zeros-${FILES - 1}.bin`));
  expect(last.subarray(FILE_BYTES - 4096).every((b) => b === 0)).toBe(true);
  process.stderr.write(
    `streaming: push peak RSS ${push.peakRssMib.toFixed(0)} MiB, pull ${pull.peakRssMib.toFixed(0)} MiB for ${(FILES * FILE_BYTES) / 2 ** 20} MiB\n`,
  );
}, 600_000);
