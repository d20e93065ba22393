// The real flux-oci interrupted (Ctrl-C, a stop) while `pull artifact` downloads: the staging
// directory holding unverified content must not stay beside or inside --output.
import { spawn, spawnSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import {
  mkdirSync,
  mkdtempSync,
  readdirSync,
  rmSync,
  statSync,
  symlinkSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { repoRoot } from './harness/tools.js';
import { startFaultProxy, type FaultProxy } from '../support/fault-proxy.js';
import { startRegistry, type TestRegistry } from '../support/registry.js';

const cli = join(repoRoot, 'bin', 'flux-oci.js');
const work = mkdtempSync(join(tmpdir(), 'flux-oci-pull-interrupted-'));
let registry: TestRegistry;
let stalling: FaultProxy;

beforeAll(async () => {
  registry = await startRegistry();
  const tree = join(work, 'tree');
  mkdirSync(tree);
  // Incompressible, so half the layer is several files' worth of extracted content.
  for (let i = 0; i < 8; i++) writeFileSync(join(tree, `f${i}.bin`), randomBytes(1024 * 1024));
  const push = spawnSync(
    process.execPath,
    [
      cli,
      'push',
      'artifact',
      `oci://${registry.host}/t/big:v1`,
      `--path=${tree}`,
      '--source=s',
      '--revision=r',
    ],
    { encoding: 'utf8' },
  );
  expect(push.stderr).toContain('artifact successfully pushed');
  // Blob downloads stop halfway and stay open: the pull is mid-download until interrupted.
  stalling = await startFaultProxy({
    target: registry.host,
    fault: (request) =>
      request.method === 'GET' && request.url.includes('/blobs/') ? 'stall-body' : undefined,
  });
});
afterAll(async () => {
  await stalling?.stop();
  await registry?.stop();
  rmSync(work, { recursive: true, force: true });
});

/** Every path under `dir` (itself included) whose name is a flux-oci staging name. */
function stagingPaths(dir: string): string[] {
  return readdirSync(dir, { recursive: true, encoding: 'utf8' }).filter((path) =>
    path.includes('flux-oci-'),
  );
}

/** Resolves once a staging directory in `dirs` holds extracted bytes. */
async function stagedContent(dirs: readonly string[]): Promise<void> {
  for (let tries = 0; tries < 600; tries++) {
    for (const dir of dirs) {
      const holds = stagingPaths(dir).some((path) => {
        const stat = statSync(join(dir, path), { throwIfNoEntry: false });
        return stat?.isFile() === true && stat.size > 0;
      });
      if (holds) return;
    }
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  throw new Error(`no staged content appeared in ${dirs.join(', ')}`);
}

describe.each([
  ['SIGINT', 130],
  ['SIGTERM', 143],
] as const)('pull artifact stopped by %s mid-download', (signal, exitCode) => {
  test.each([
    ['beside --output (same file system)', false],
    ['inside --output (another file system than its parent)', true],
  ])(`staging %s is removed and the exit code is ${exitCode}`, async (_where, elsewhere) => {
    const parent = mkdtempSync(join(work, 'parent-'));
    const output = join(parent, 'out');
    // /dev/shm is a tmpfs of its own: --output linked there stages inside itself.
    const real = elsewhere ? mkdtempSync('/dev/shm/flux-oci-pull-interrupted-') : output;
    try {
      if (elsewhere) symlinkSync(real, output);
      else mkdirSync(output);
      const child = spawn(
        process.execPath,
        [cli, 'pull', 'artifact', `oci://${stalling.host}/t/big:v1`, `--output=${output}`],
        {
          stdio: ['ignore', 'ignore', 'pipe'],
        },
      );
      let stderr = '';
      child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
      const closed = new Promise<number | null>((resolve) => child.on('close', resolve));
      await stagedContent([parent, real]);
      child.kill(signal);
      expect(await closed).toBe(exitCode);
      expect(stderr).not.toContain('artifact content extracted');
      expect(stagingPaths(parent)).toEqual([]);
      expect(stagingPaths(real)).toEqual([]);
      expect(readdirSync(real)).toEqual([]);
    } finally {
      if (elsewhere) rmSync(real, { recursive: true, force: true });
    }
  });
});
