// The artifact commands side by side with the real Flux CLI v2.9.5 (tools/flux) on one real
// registry (docker-registry on 127.0.0.1, plain HTTP, which both CLIs allow for loopback):
// what either pushes, the other pulls equal; build tars are equal; list prints the same bytes.
import { jest } from '@jest/globals';
import {
  lstatSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  readlinkSync,
  rmSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gunzipSync } from 'node:zlib';
import { makeTree } from '../oci/content/fixture-tree.js';
import { runCli } from '../support/cli.js';
import { FLUX_CLI_BUILD_TIMEOUT_MS, fluxBinary, runFluxCli } from '../support/flux-cli.js';
import { startRegistry, type TestRegistry } from '../support/registry.js';

jest.setTimeout(120_000);

const SOURCE = 'https://github.com/example/fleet';
const REVISION = 'main@sha1:0123456789abcdef0123456789abcdef01234567';

/** Nested directories, modes, symlinks (to a file and to a directory) and ignorable files. */
function interopTree(): string {
  return makeTree([
    { file: 'kustomization.yaml', content: 'resources:\n- apps/\n' },
    { file: 'apps/app.yaml', content: 'kind: ConfigMap\n', mode: 0o600 },
    { file: 'apps/base/deep/deployment.yaml', content: 'kind: Deployment\n', mode: 0o640 },
    { file: 'apps/base/run.sh', content: '#!/bin/sh\necho hi\n', mode: 0o755 },
    { dir: 'apps/private', mode: 0o700 },
    { file: 'apps/private/secret.yaml', content: 'kind: Secret\n' },
    { dir: 'empty' },
    { symlink: 'apps/link.yaml', target: 'app.yaml' },
    { symlink: 'linked-dir', target: 'apps/base' },
    { file: 'docs/README.md', content: '# docs\n' },
    { file: 'logo.png', content: 'PNG' },
    { file: '.git/config', content: '[core]\n' },
    { file: '.gitignore', content: '*.tmp\n' },
    { file: '.sourceignore', content: 'docs/\n' },
  ]);
}

type Entry = readonly [path: string, kind: string, mode: string, content: string];

/** Every entry under `root`: path, type, permission bits, content or link target. */
function snapshot(root: string, prefix = ''): Entry[] {
  const entries: Entry[] = [];
  for (const name of readdirSync(join(root, prefix)).sort()) {
    const rel = prefix ? `${prefix}/${name}` : name;
    const path = join(root, rel);
    const st = lstatSync(path);
    const mode = (st.mode & 0o7777).toString(8);
    if (st.isSymbolicLink()) entries.push([rel, 'symlink', '', readlinkSync(path)]);
    else if (st.isDirectory()) entries.push([rel, 'dir', mode, ''], ...snapshot(root, rel));
    else entries.push([rel, 'file', mode, readFileSync(path, 'utf8')]);
  }
  return entries;
}

describe('artifact commands against the real Flux CLI v2.9.5', () => {
  let registry: TestRegistry;
  let home: string;
  let work: string;
  let tree: string;
  let env: Record<string, string | undefined>;

  beforeAll(async () => {
    fluxBinary();
    registry = await startRegistry();
    home = mkdtempSync(join(tmpdir(), 'flux-interop-home-'));
    work = mkdtempSync(join(tmpdir(), 'flux-interop-'));
    tree = interopTree();
    env = { HOME: home, DOCKER_CONFIG: undefined, REGISTRY_AUTH_FILE: undefined };
  }, FLUX_CLI_BUILD_TIMEOUT_MS);
  afterAll(async () => {
    await registry?.stop();
    for (const dir of [home, work, tree]) if (dir) rmSync(dir, { recursive: true, force: true });
  });

  const flux = (...args: string[]) => runFluxCli(args, home);
  const ours = (...args: string[]) => runCli(args, { env });
  const url = (repo: string, tag?: string) =>
    `oci://${registry.host}/${repo}${tag ? `:${tag}` : ''}`;

  async function manifest(repo: string, tag: string): Promise<Record<string, unknown>> {
    const response = await fetch(`${registry.url}/v2/${repo}/manifests/${tag}`, {
      headers: { accept: 'application/vnd.oci.image.manifest.v1+json' },
    });
    expect(response.status).toBe(200);
    return (await response.json()) as Record<string, unknown>;
  }

  /** The manifest without what depends on the gzip bytes (layer digest and size). */
  function shape(m: Record<string, unknown>): unknown {
    const layers = m.layers as Record<string, unknown>[];
    return { ...m, layers: layers.map(({ digest: _d, size: _s, ...rest }) => rest) };
  }

  describe('push and pull across the two CLIs', () => {
    const pushFlags = (extra: string[]) => [
      `--path=${tree}`,
      `--source=${SOURCE}`,
      `--revision=${REVISION}`,
      '--annotations=org.example.team=platform',
      '-a',
      'org.example.ticket=OPS-1',
      '--reproducible',
      ...extra,
    ];
    const cases: [string, string[]][] = [
      ['default ignore paths', []],
      ['--ignore-paths and --resolve-symlinks', ['--ignore-paths=*.md,*.sh', '--resolve-symlinks']],
    ];

    test.each(cases)('%s', async (name, extra) => {
      const repo = `push-${name.replace(/[^a-z]+/g, '-')}`;
      const pushed = await flux('push', 'artifact', url(repo, 'by-flux'), ...pushFlags(extra));
      expect(pushed.stderr).toContain('✔ artifact successfully pushed');
      expect(pushed.code).toBe(0);
      const ourPush = await ours('push', 'artifact', url(repo, 'by-ours'), ...pushFlags(extra));
      expect(ourPush.stderr).toContain('✔ artifact successfully pushed');
      expect(ourPush.code).toBe(0);

      // Annotations, media types and config are the same; only the gzip bytes differ.
      const byFlux = await manifest(repo, 'by-flux');
      const byOurs = await manifest(repo, 'by-ours');
      expect(shape(byOurs)).toEqual(shape(byFlux));
      expect(byOurs.annotations).toMatchObject({
        'org.opencontainers.image.source': SOURCE,
        'org.opencontainers.image.revision': REVISION,
        'org.example.team': 'platform',
        'org.example.ticket': 'OPS-1',
      });

      // Each CLI pulls each push to the same files, modes and links.
      const trees: Record<string, Entry[]> = {};
      for (const tag of ['by-flux', 'by-ours']) {
        const fluxOut = join(work, `${repo}-${tag}-flux`);
        const oursOut = join(work, `${repo}-${tag}-ours`);
        // flux pull wants an existing directory.
        mkdirSync(fluxOut);
        mkdirSync(oursOut);
        const fluxPull = await flux('pull', 'artifact', url(repo, tag), `--output=${fluxOut}`);
        expect(fluxPull.code).toBe(0);
        const ourPull = await ours('pull', 'artifact', url(repo, tag), `--output=${oursOut}`);
        expect(ourPull.code).toBe(0);
        // The same log lines too (the source and revision it read from the annotations).
        expect(ourPull.stderr.replace(oursOut, '<out>')).toBe(
          fluxPull.stderr.replace(fluxOut, '<out>'),
        );
        trees[`${tag} pulled by flux`] = snapshot(fluxOut);
        trees[`${tag} pulled by flux-oci`] = snapshot(oursOut);
      }
      const reference = trees['by-flux pulled by flux'];
      expect(reference.length).toBeGreaterThan(3);
      for (const [which, entries] of Object.entries(trees)) {
        expect({ which, entries }).toEqual({ which, entries: reference });
      }
    });
  });

  describe('diff artifact against the tree each pushed', () => {
    const repo = 'diff';
    beforeAll(async () => {
      const flags = [`--path=${tree}`, `--source=${SOURCE}`, `--revision=${REVISION}`];
      expect((await flux('push', 'artifact', url(repo, 'by-flux'), ...flags)).code).toBe(0);
      expect((await ours('push', 'artifact', url(repo, 'by-ours'), ...flags)).code).toBe(0);
    });

    test.each(['by-flux', 'by-ours'])('flux-oci: %s equals the tree', async (tag) => {
      const result = await ours('diff', 'artifact', url(repo, tag), `--path=${tree}`);
      expect(result.stderr).toContain('✔ no changes detected');
      expect(result.code).toBe(0);
    });

    test('flux: its own push equals the tree, ours differs (it compares gzip digests)', async () => {
      const own = await flux('diff', 'artifact', url(repo, 'by-flux'), `--path=${tree}`);
      expect(own.stderr).toContain('✔ no changes detected');
      expect(own.code).toBe(0);
      // Deliberate (README, diff artifact): our gzip bytes are not Go's.
      const theirs = await flux('diff', 'artifact', url(repo, 'by-ours'), `--path=${tree}`);
      expect(theirs.stderr).toContain('✗ the remote artifact contents differs from the local one');
      expect(theirs.code).toBe(1);
    });

    test('both: a changed tree differs', async () => {
      const changed = makeTree([{ file: 'kustomization.yaml', content: 'resources: []\n' }]);
      try {
        const result = await ours('diff', 'artifact', url(repo, 'by-flux'), `--path=${changed}`);
        expect(result.code).toBe(1);
        const own = await flux('diff', 'artifact', url(repo, 'by-flux'), `--path=${changed}`);
        expect(own.code).toBe(1);
      } finally {
        rmSync(changed, { recursive: true, force: true });
      }
    });
  });

  describe('build artifact: the same uncompressed tar', () => {
    const cases: [string, string[]][] = [
      ['default ignore paths', []],
      ['--ignore-paths', ['--ignore-paths=*.md,.git/,apps/private/']],
      ['--ignore-paths empty', ['--ignore-paths=']],
      ['--resolve-symlinks', ['--resolve-symlinks']],
    ];

    test.each(cases)('%s', async (name, extra) => {
      const base = join(work, `build-${name.replace(/[^a-z]+/g, '-')}`);
      const built = await flux(
        'build',
        'artifact',
        `--path=${tree}`,
        `--output=${base}-flux.tgz`,
        ...extra,
      );
      expect(built.code).toBe(0);
      const ourBuild = await ours(
        'build',
        'artifact',
        `--path=${tree}`,
        `--output=${base}-ours.tgz`,
        ...extra,
      );
      expect(ourBuild.code).toBe(0);
      const expected = gunzipSync(readFileSync(`${base}-flux.tgz`));
      const actual = gunzipSync(readFileSync(`${base}-ours.tgz`));
      expect(actual.length).toBeGreaterThan(1024);
      expect(actual.equals(expected)).toBe(true);
    });
  });

  describe('list artifacts', () => {
    const repo = 'list';
    const TAGS = [
      'v1.0.0',
      'v1.1.0',
      '1.2.0',
      'v1.10.3',
      'v2.0.0-rc.1',
      'v2.0.0',
      '2.1.0-beta.2',
      '3.0',
      'latest',
      'main-0123abc',
    ];

    beforeAll(async () => {
      const first = await flux(
        'push',
        'artifact',
        url(repo, 'v0.1.0'),
        `--path=${tree}`,
        `--source=${SOURCE}`,
        `--revision=${REVISION}`,
      );
      expect(first.code).toBe(0);
      expect(
        (await flux('tag', 'artifact', url(repo, 'v0.1.0'), `--tag=${TAGS.slice(0, 5).join(',')}`))
          .code,
      ).toBe(0);
      // A second artifact with other annotations, so the rows differ.
      const second = await ours(
        'push',
        'artifact',
        url(repo, 'v2.0.0'),
        `--path=${tree}`,
        '--source=https://github.com/example/other',
        '--revision=v2.0.0@sha1:89abcdef0123456789abcdef0123456789abcdef',
      );
      expect(second.code).toBe(0);
      expect(
        (await ours('tag', 'artifact', url(repo, 'v2.0.0'), `--tag=${TAGS.slice(6).join(',')}`))
          .code,
      ).toBe(0);
    });

    const filters: [string, string[]][] = [
      ['no filter', []],
      ['--filter-regex', ['--filter-regex=^v1']],
      ['--filter-regex unanchored', ['--filter-regex=rc|beta']],
      ['--filter-semver', ['--filter-semver=>=1.0.0']],
      ['--filter-semver with pre-releases', ['--filter-semver=>=2.0.0-0']],
      [
        '--filter-semver with pre-releases in one alternative',
        ['--filter-semver=~1.1 || >=2.1.0-0'],
      ],
      ['--filter-semver tilde', ['--filter-semver=~1.1']],
      ['--filter-semver wildcard', ['--filter-semver=1.x']],
      ['both filters', ['--filter-semver=>=1.0.0', '--filter-regex=^v']],
      ['nothing matches', ['--filter-regex=^nope$']],
    ];

    test.each(filters)('text output byte-equal: %s', async (_name, flags) => {
      const expected = await flux('list', 'artifacts', url(repo), ...flags);
      expect(expected.code).toBe(0);
      const result = await ours('list', 'artifacts', url(repo), ...flags);
      expect(result.code).toBe(0);
      expect(result.stdout).toBe(expected.stdout);
    });

    test('the filters are not vacuous: rows differ between them', async () => {
      const all = (await flux('list', 'artifacts', url(repo))).stdout.split('\n');
      const pre = (await flux('list', 'artifacts', url(repo), '--filter-semver=>=2.0.0-0')).stdout;
      expect(all.length).toBe(TAGS.length + 1 + 2); // header, v0.1.0, trailing newline
      expect(pre).toMatch(/:v2\.0\.0-rc\.1 *\t/);
      expect(pre).toMatch(/:2\.1\.0-beta\.2 *\t/);
      expect(pre).not.toMatch(/:v1\.0\.0 *\t/);
    });

    // `flux list artifacts` has no -o (its flags: --creds, --filter-*, --insecure-registry,
    // --provider); ours adds json|yaml for scripts. The data equals Flux's table.
    test("-o json (ours only) holds the rows of flux's table", async () => {
      const flags = ['--filter-semver=>=1.0.0-0'];
      const refused = await flux('list', 'artifacts', url(repo), '-o', 'json');
      expect(refused.stderr).toContain("unknown shorthand flag: 'o' in -o");
      const table = (await flux('list', 'artifacts', url(repo), ...flags)).stdout;
      // Each line ends in a tab, after the padded revision.
      const rows = table
        .split('\n')
        .slice(1, -1)
        .map((line) => line.split('\t', 4).map((cell) => cell.trim()));
      const result = await ours('list', 'artifacts', url(repo), ...flags, '-o', 'json');
      expect(result.code).toBe(0);
      const listed = JSON.parse(result.stdout) as Record<string, string>[];
      expect(listed.map((a) => [a.url, a.digest, a.source, a.revision])).toEqual(rows);
      expect(rows.length).toBeGreaterThan(3);
    });
  });
});
