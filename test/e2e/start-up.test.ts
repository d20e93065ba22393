// flux-oci loads a command's dependencies only when that command runs: the real CLI (over
// dist/) with a loader hook that logs every module it loads, against a real registry.
import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { crc32, deflateRawSync } from 'node:zlib';
import { buildArtifact, buildTar, sha256Digest } from '../../src/oci/index.js';
import { GZIP_HEADER } from '../../src/oci/content/gzip/gzip-header.js';
import { pullArtifact } from '../../src/oci/registry/pull.js';
import { repoRoot } from './harness/tools.js';
import { writeTree } from '../support/artifacts.js';
import { startConnectProxy } from '../support/connect-proxy.js';
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
function runLogged(args: readonly string[], env: NodeJS.ProcessEnv = {}): Promise<Run> {
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
      {
        env: { ...process.env, ...env, FLUX_OCI_MODULE_LOG: log },
        stdio: ['ignore', 'ignore', 'pipe'],
      },
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

/** The packages under node_modules a run loaded, by name (imported or required). */
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

/** What a registry command loads only when a proxy applies to it. */
const PROXY_PACKAGES = ['agent-base', 'http-proxy-agent', 'https-proxy-agent'];

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
  expect(push.modules).not.toContain('oci/registry/http/transport.js');
  // Nor the tar and gzip engine: it loads when the action runs.
  expect(push.modules).not.toContain('oci/content/layer-stream.js');

  const build = await runLogged(['build', 'artifact', '--help']);
  expect(build.code).toBe(0);
  expect(build.modules).not.toContain('oci/content/layer-file.js');
  expect(build.modules).not.toContain('oci/content/layer-stream.js');

  // A command whose flags name a Flux version loads two semver functions, not its 48 files.
  const upgrade = await runLogged(['upgrade', '--help']);
  expect(upgrade.code).toBe(0);
  expect(upgrade.modules.filter((url) => url.includes('/semver/')).length).toBeLessThan(12);

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
  // The registry client ran, over Node's own http: neither undici nor a proxy library.
  expect(push.modules).toContain('oci/registry/http/transport.js');
  for (const pkg of ['undici', ...PROXY_PACKAGES]) expect(packages(push)).not.toContain(pkg);

  const out = mkdtempSync(join(work, 'pulled-'));
  const pull = await runLogged(['pull', 'artifact', url, `--output=${out}`]);
  expect(pull.stderr).toContain('artifact content extracted');
  expect(pull.code).toBe(0);
  expect(readFileSync(join(out, 'app', 'deploy.yaml'), 'utf8')).toBe('kind: Deployment\n');
  expect(commandModules(pull)).toEqual(['cli/commands/pull-artifact.js']);
  for (const pkg of CLUSTER_PACKAGES) expect(packages(pull)).not.toContain(pkg);
  for (const pkg of ['undici', ...PROXY_PACKAGES]) expect(packages(pull)).not.toContain(pkg);
  // This machine's registry speaks plain HTTP: TLS (node:https) is never loaded.
  for (const run of [push, pull]) expect(run.modules).not.toContain('node:https');
  rmSync(tree, { recursive: true, force: true });
});

it('a registry command loads the proxy library when a proxy applies to it, and only then', async () => {
  // `registry.test` resolves only inside the proxy: the pull succeeds only through it.
  const proxy = await startConnectProxy({ hosts: { 'registry.test': '127.0.0.1' } });
  try {
    const tree = writeTree({ 'app/deploy.yaml': 'kind: Deployment\n' });
    const url = `oci://${registry.host}/start-up/proxied:v1`;
    const meta = [
      '--source=https://github.com/example/app',
      '--revision=main@sha1:0123456789abcdef0123456789abcdef01234567',
    ];
    const push = await runLogged(['push', 'artifact', url, `--path=${tree}`, ...meta]);
    expect(push.code).toBe(0);
    rmSync(tree, { recursive: true, force: true });

    const port = registry.host.split(':')[1];
    const proxied = `oci://registry.test:${port}/start-up/proxied:v1`;
    const env = { HTTPS_PROXY: proxy.url, HTTP_PROXY: proxy.url, NO_PROXY: '' };
    const out = mkdtempSync(join(work, 'proxied-'));
    const pull = await runLogged(
      ['pull', 'artifact', proxied, `--output=${out}`, '--allow-insecure-http'],
      env,
    );
    expect(pull.stderr).toContain('artifact content extracted');
    expect(pull.code).toBe(0);
    expect(proxy.forwarded.length).toBeGreaterThan(0);
    for (const pkg of PROXY_PACKAGES) expect(packages(pull)).toContain(pkg);
    expect(packages(pull)).not.toContain('undici');

    // The same proxy settings with a loopback registry: no proxy applies, none is loaded.
    const direct = await runLogged(
      ['pull', 'artifact', url, `--output=${mkdtempSync(join(work, 'direct-'))}`],
      env,
    );
    expect(direct.code).toBe(0);
    for (const pkg of PROXY_PACKAGES) expect(packages(direct)).not.toContain(pkg);
  } finally {
    await proxy.stop();
  }
});

describe('which deflate each command uses', () => {
  // portable: pako 3.0.3, the same bytes everywhere (gzip() in portable-gzip.ts);
  // native: Node's zlib. The module log shows which one a run loaded; the bytes show which
  // one made the layer.
  const files = { 'app/deploy.yaml': 'kind: Deployment\n'.repeat(500), 'app/x.yaml': 'x: 1\n' };
  const meta = [
    '--source=https://github.com/example/app',
    '--revision=main@sha1:0123456789abcdef0123456789abcdef01234567',
  ];

  /** The layer Node's zlib makes of the tree's tar, with Go's gzip header and trailer. */
  function nativeLayer(tree: string): Buffer {
    const tar = buildTar({ path: tree });
    const trailer = Buffer.alloc(8);
    trailer.writeUInt32LE(crc32(tar), 0);
    trailer.writeUInt32LE(tar.length, 4);
    return Buffer.concat([GZIP_HEADER, deflateRawSync(tar, { level: 6, memLevel: 8 }), trailer]);
  }

  async function pushedLayerDigest(url: string): Promise<string> {
    const pulled = await pullArtifact(url, { useAuthFile: false });
    return pulled.layer.descriptor.digest;
  }

  it('push artifact: native, and portable with --reproducible (a digest others recompute)', async () => {
    const tree = writeTree(files);
    const fast = `oci://${registry.host}/start-up/deflate:fast`;
    const push = await runLogged(['push', 'artifact', fast, `--path=${tree}`, ...meta]);
    expect(push.code).toBe(0);
    expect(packages(push)).not.toContain('pako');
    expect(await pushedLayerDigest(fast)).toBe(sha256Digest(nativeLayer(tree)));

    const reproducible = `oci://${registry.host}/start-up/deflate:reproducible`;
    const again = await runLogged([
      'push',
      'artifact',
      reproducible,
      `--path=${tree}`,
      '--reproducible',
      ...meta,
    ]);
    expect(again.code).toBe(0);
    expect(packages(again)).toContain('pako');
    const portable = buildArtifact({ path: tree, reproducible: true });
    expect(await pushedLayerDigest(reproducible)).toBe(portable.layers[0].descriptor.digest);
    rmSync(tree, { recursive: true, force: true });
  });

  it('build artifact: native; build components: portable (its digest is pinned by its own tests)', async () => {
    const tree = writeTree(files);
    const output = join(work, 'artifact.tgz');
    const build = await runLogged(['build', 'artifact', `--path=${tree}`, `--output=${output}`]);
    expect(build.code).toBe(0);
    expect(packages(build)).not.toContain('pako');
    expect(readFileSync(output).equals(nativeLayer(tree))).toBe(true);

    const components = await runLogged(['build', 'components', '--help']);
    expect(components.code).toBe(0);
    expect(packages(components)).not.toContain('pako');
    const layout = join(work, 'components');
    const built = await runLogged(['build', 'components', `--output=${layout}`]);
    expect(built.stderr).toContain('components (32 objects) built to');
    expect(built.code).toBe(0);
    expect(packages(built)).toContain('pako');
    rmSync(tree, { recursive: true, force: true });
  });
});
