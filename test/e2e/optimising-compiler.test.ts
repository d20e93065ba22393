// The flux-oci launcher keeps V8's optimising compiler (TurboFan) off for short commands and
// turns it on where JavaScript runs hot (src/optimising-compiler.ts): the real CLI (over dist/)
// runs under `--trace-opt`, which logs each function V8 marks or compiles for TurboFan (or
// Maglev, from Node 22),
// against a real registry.
import { spawn } from 'node:child_process';
import { mkdirSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { repoRoot } from './harness/tools.js';
import { startRegistry, type TestRegistry } from '../support/registry.js';

const work = mkdtempSync(join(tmpdir(), 'flux-oci-optimising-'));
const small = join(work, 'small');
const large = join(work, 'large');
let registry: TestRegistry;

/** A tree of `files` manifests (plus its root directory: one entry more). */
function writeManifests(dir: string, files: number): void {
  mkdirSync(dir);
  for (let i = 0; i < files; i++) {
    writeFileSync(
      join(dir, `app-${i}.yaml`),
      `apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: app-${i}\ndata:\n  value: "${'x'.repeat(2000)}"\n`,
    );
  }
}

beforeAll(async () => {
  registry = await startRegistry();
  writeManifests(small, 20);
  writeManifests(large, 1000);
});
afterAll(async () => {
  await registry?.stop();
  rmSync(work, { recursive: true, force: true });
});

interface Traced {
  readonly code: number;
  readonly output: string;
  /** Lines where V8 marks or compiles a function for an optimising tier. */
  readonly turbofan: readonly string[];
}

/** Runs `node --trace-opt <script> <args>` (the trace goes to stdout, the CLI's to stderr). */
function traced(script: readonly string[], args: readonly string[]): Promise<Traced> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['--trace-opt', ...script, ...args], {
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let output = '';
    child.stdout.on('data', (d: Buffer) => (output += d.toString()));
    child.stderr.on('data', (d: Buffer) => (output += d.toString()));
    child.on('error', reject);
    child.on('close', (code) =>
      resolve({
        code: code ?? -1,
        output,
        turbofan: output.split('\n').filter((line) => /TURBOFAN|MAGLEV/.test(line)),
      }),
    );
  });
}

const launcher = [join(repoRoot, 'bin', 'flux-oci.js')];
/** `main()` run as a library user runs it: no launcher, V8's own tiering. */
const library = [
  '--input-type=module',
  '-e',
  `import { main } from ${JSON.stringify(join(repoRoot, 'dist', 'cli', 'main.js'))};` +
    'process.exitCode = await main(["node", "flux-oci", ...process.argv.slice(1)]);',
  '--',
];
const meta = ['--source=https://github.com/example/app', '--revision=main@sha1:0123456789abcdef'];

it('a small push and pull through the launcher never optimise: V8 would, left to itself', async () => {
  const url = `oci://${registry.host}/apps/small`;
  const push = await traced(launcher, [
    'push',
    'artifact',
    `${url}:v1`,
    `--path=${small}`,
    ...meta,
  ]);
  expect(push.output).toContain('artifact successfully pushed');
  expect(push.code).toBe(0);
  expect(push.turbofan).toEqual([]);

  mkdirSync(join(work, 'pulled'));
  const pull = await traced(launcher, [
    'pull',
    'artifact',
    `${url}:v1`,
    `--output=${join(work, 'pulled')}`,
  ]);
  expect(pull.output).toContain('artifact content extracted');
  expect(pull.code).toBe(0);
  expect(pull.turbofan).toEqual([]);

  // The same push without the launcher: V8's own tiering optimises (the test can fail).
  const own = await traced(library, ['push', 'artifact', `${url}:v2`, `--path=${small}`, ...meta]);
  expect(own.code).toBe(0);
  expect(own.turbofan.length).toBeGreaterThan(0);
});

it('a tree of 1000 manifests builds, pushes and pulls without optimising too', async () => {
  const build = await traced(launcher, [
    'build',
    'artifact',
    `--path=${large}`,
    `--output=${join(work, 'large.tgz')}`,
  ]);
  expect(build.output).toContain('artifact created');
  expect(build.code).toBe(0);
  expect(build.turbofan).toEqual([]);

  const url = `oci://${registry.host}/apps/large:v1`;
  const push = await traced(launcher, ['push', 'artifact', url, `--path=${large}`, ...meta]);
  expect(push.output).toContain('artifact successfully pushed');
  expect(push.code).toBe(0);
  expect(push.turbofan).toEqual([]);

  mkdirSync(join(work, 'pulled-large'));
  const pull = await traced(launcher, [
    'pull',
    'artifact',
    url,
    `--output=${join(work, 'pulled-large')}`,
  ]);
  expect(pull.output).toContain('artifact content extracted');
  expect(pull.code).toBe(0);
  expect(pull.turbofan).toEqual([]);
  expect(readdirSync(join(work, 'pulled-large'))).toHaveLength(1000);
});

it('the commands that are not artifact ones (YAML, Kubernetes) run with it from the start', async () => {
  const install = await traced(launcher, ['install', '--export']);
  expect(install.output).toContain('kind: CustomResourceDefinition');
  expect(install.code).toBe(0);
  expect(install.turbofan.length).toBeGreaterThan(0);
});

it('the pure-JS deflate (--reproducible) turns it on, even for a small tree', async () => {
  const push = await traced(launcher, [
    'push',
    'artifact',
    `oci://${registry.host}/apps/small:reproducible`,
    `--path=${small}`,
    '--reproducible',
    ...meta,
  ]);
  expect(push.output).toContain('artifact successfully pushed');
  expect(push.code).toBe(0);
  expect(push.turbofan.length).toBeGreaterThan(0);
});
