// flux-oci loads a command's dependencies only when that command runs: the real CLI (over
// dist/) with a loader hook that logs every module it loads, against a real registry.
import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { repoRoot } from './harness/tools.js';
import { writeTree } from '../support/artifacts.js';
import { startRegistry, type TestRegistry } from '../support/registry.js';

interface Run {
  readonly code: number;
  readonly stderr: string;
  /** The URLs of the modules Node loaded, ours relative to dist/ (`cli/main.js`). */
  readonly modules: readonly string[];
}

const work = mkdtempSync(join(tmpdir(), 'flux-oci-start-up-'));
let registry: TestRegistry;

beforeAll(async () => {
  registry = await startRegistry();
});
afterAll(async () => {
  await registry?.stop();
  rmSync(work, { recursive: true, force: true });
});

let runs = 0;
function runLogged(args: readonly string[]): Promise<Run> {
  const log = join(work, `modules-${runs++}.log`);
  return new Promise((resolve, reject) => {
    const child = spawn(
      process.execPath,
      [
        '--import',
        join(repoRoot, 'test', 'e2e', 'support', 'module-log.mjs'),
        join(repoRoot, 'bin', 'flux-oci.js'),
        ...args,
      ],
      { env: { ...process.env, FLUX_OCI_MODULE_LOG: log }, stdio: ['ignore', 'ignore', 'pipe'] },
    );
    let stderr = '';
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    child.on('error', reject);
    child.on('close', (code) => {
      const dist = `file://${join(repoRoot, 'dist')}/`;
      const modules = readFileSync(log, 'utf8')
        .split('\n')
        .filter(Boolean)
        .map((url) => (url.startsWith(dist) ? url.slice(dist.length) : url));
      resolve({ code: code ?? -1, stderr, modules });
    });
  });
}

/** The packages under node_modules a run loaded, by name. */
function packages(run: Run): string[] {
  const names = run.modules
    .map((url) => /node_modules\/((?:@[^/]+\/)?[^/]+)\//.exec(url)?.[1])
    .filter((name): name is string => name !== undefined);
  return [...new Set(names)].sort();
}

const commandModules = (run: Run): string[] =>
  run.modules.filter((m) => m.startsWith('cli/commands/')).sort();

/** What no artifact command needs: the cluster and construct side. */
const CLUSTER_PACKAGES = [
  '@kubernetes/client-node',
  '@kubernetes-models/flux-cd',
  'cdktf',
  'constructs',
  'fast-json-patch',
];

it('--version loads no command', async () => {
  const run = await runLogged(['--version']);
  expect(run.code).toBe(0);
  expect(commandModules(run)).toEqual([]);
  expect(packages(run)).toEqual(['commander']);
});

it('a command’s --help loads that command only, and not its engine', async () => {
  const push = await runLogged(['push', 'artifact', '--help']);
  expect(push.code).toBe(0);
  expect(commandModules(push)).toEqual(['cli/commands/push-artifact.js']);
  expect(packages(push)).not.toContain('undici');

  const install = await runLogged(['install', '--help']);
  expect(install.code).toBe(0);
  expect(commandModules(install)).toEqual(['cli/commands/install.js']);
  expect(packages(install)).toEqual(['commander']);

  const bootstrap = await runLogged(['bootstrap', 'oci', '--help']);
  expect(bootstrap.code).toBe(0);
  expect(packages(bootstrap)).toEqual(['commander']);

  const trace = await runLogged(['trace', '--help']);
  expect(trace.code).toBe(0);
  expect(commandModules(trace)).toEqual(['cli/commands/trace.js']);
  expect(packages(trace)).toEqual(['commander']);
});

it('the program’s help still lists every command', async () => {
  const run = await runLogged(['--help']);
  expect(run.code).toBe(0);
  expect(commandModules(run)).toHaveLength(14);
  for (const pkg of CLUSTER_PACKAGES) expect(packages(run)).not.toContain(pkg);
});

it('push artifact and pull artifact against a registry load neither the Kubernetes client nor cdktf', async () => {
  const tree = writeTree({ 'app/deploy.yaml': 'kind: Deployment\n' });
  const url = `oci://${registry.host}/start-up/app:v1`;
  const push = await runLogged([
    'push',
    'artifact',
    url,
    `--path=${tree}`,
    '--source=https://github.com/example/app',
    '--revision=main@sha1:0123456789abcdef0123456789abcdef01234567',
  ]);
  expect(push.stderr).toContain('artifact successfully pushed');
  expect(push.code).toBe(0);
  expect(commandModules(push)).toEqual(['cli/commands/push-artifact.js']);
  for (const pkg of CLUSTER_PACKAGES) expect(packages(push)).not.toContain(pkg);
  expect(packages(push)).toContain('undici');

  const out = mkdtempSync(join(work, 'pulled-'));
  const pull = await runLogged(['pull', 'artifact', url, `--output=${out}`]);
  expect(pull.stderr).toContain('artifact content extracted');
  expect(pull.code).toBe(0);
  expect(readFileSync(join(out, 'app', 'deploy.yaml'), 'utf8')).toBe('kind: Deployment\n');
  expect(commandModules(pull)).toEqual(['cli/commands/pull-artifact.js']);
  for (const pkg of CLUSTER_PACKAGES) expect(packages(pull)).not.toContain(pkg);
  rmSync(tree, { recursive: true, force: true });
});
