import { cpSync, chmodSync, mkdtempSync, readdirSync, rmSync, symlinkSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { buildArtifact, buildLayer, buildTar } from '../../../src/oci/content/build.js';
import { readTar } from '../../../src/oci/content/archive/tar-reader.js';
import { UserError } from '../../../src/errors.js';
import { makeTree } from './fixture-tree.js';
import { ORACLE_TIMEOUT_MS, runOracle } from './oracle.js';

const temporary: string[] = [];
afterAll(() => temporary.forEach((dir) => rmSync(dir, { recursive: true, force: true })));

/** test/fixtures/oci/tree copied with the modes git cannot keep set explicitly. */
function fixtureCopy(): string {
  const root = mkdtempSync(join(tmpdir(), 'fixture-oci-'));
  temporary.push(root);
  cpSync('test/fixtures/oci/tree', root, { recursive: true });
  const setModes = (dir: string): void => {
    chmodSync(dir, 0o755);
    for (const entry of readdirSync(dir, { withFileTypes: true })) {
      const path = join(dir, entry.name);
      if (entry.isDirectory()) setModes(path);
      else chmodSync(path, entry.name.endsWith('.sh') ? 0o755 : 0o644);
    }
  };
  setModes(root);
  chmodSync(join(root, 'apps/podinfo/deployment.yaml'), 0o600);
  return root;
}

const names = (tar: Uint8Array) =>
  readTar(tar).map((e) => `${e.name} ${e.kind} ${e.mode.toString(8)}`);

describe('pinned digests for test/fixtures/oci/tree', () => {
  // These values lock the tar layout, the pako deflate bytes, the config and the manifest
  // encoding: any change here changes every digest users have pushed.
  const PINNED = {
    diffId: 'sha256:0ecdf818e612dccca5e5610992fdd9b850a9f71c7c9a256459b1b8055b117d62',
    layerDigest: 'sha256:c894910f9279cd477b4cb09577c644ef0617715bafbc862ca43bf18cfd47edca',
    layerSize: 961,
    manifestDigest: 'sha256:37d98b95dc18d39313f86c45a8445db2557019d5065e6e7e165252c501ef7acf',
  };

  test('layer, diffID and manifest digest', () => {
    const artifact = buildArtifact({
      path: fixtureCopy(),
      reproducible: true,
      source: 'https://github.com/example/fleet',
      revision: 'main@sha1:2f1d9e3c4b5a69788796a5b4c3d2e1f001122334',
    });
    expect({
      diffId: artifact.diffId,
      layerDigest: artifact.layers[0]!.descriptor.digest,
      layerSize: artifact.layers[0]!.descriptor.size,
      manifestDigest: artifact.manifest.descriptor.digest,
    }).toEqual(PINNED);
  });

  test(
    'the diffID is the one Flux 2.9 computes for the same tree',
    () => {
      const path = fixtureCopy();
      const flux = runOracle(path);
      expect(Buffer.from(buildTar({ path })).equals(flux.tar)).toBe(true);
      expect(names(buildTar({ path }))).not.toContain('logo.png file 644');
    },
    ORACLE_TIMEOUT_MS,
  );
});

describe('build inputs', () => {
  test('a single file becomes . (0700) and the file with its own mode', () => {
    const root = makeTree([{ file: 'app.yaml', content: 'kind: A\n', mode: 0o640 }]);
    temporary.push(root);
    expect(names(buildTar({ path: join(root, 'app.yaml') }))).toEqual([
      '. directory 700',
      'app.yaml file 640',
    ]);
  });

  test('stdin is trimmed of trailing newlines and staged as <digits>.yaml, mode 0600', () => {
    const entries = readTar(buildTar({ path: '-', stdin: Buffer.from('kind: A\r\n\n\n') }));
    expect(entries.map((e) => [e.kind, e.mode.toString(8)])).toEqual([
      ['directory', '700'],
      ['file', '600'],
    ]);
    expect(entries[1]!.name).toMatch(/^\d+\.yaml$/);
    expect(Buffer.from(entries[1]!.content).toString()).toBe('kind: A');
  });

  test('stdin without content and missing paths are user errors', () => {
    expect(() => buildTar({ path: '-' })).toThrow(UserError);
    expect(() => buildTar({ path: '/does/not/exist' })).toThrow(
      "invalid path '/does/not/exist', must point to an existing directory or file",
    );
  });

  test('resolveSymlinks archives link targets, with the root at 0700', () => {
    const outside = makeTree([
      { file: 'shared/base.yaml', content: 'base' },
      { file: 'one.yaml', content: 'one', mode: 0o600 },
    ]);
    const root = makeTree([
      { file: 'own.yaml', content: 'own' },
      { symlink: 'shared', target: join(outside, 'shared') },
      { symlink: 'linked.yaml', target: join(outside, 'one.yaml') },
      { symlink: 'loop', target: '.' },
    ]);
    temporary.push(outside, root);
    expect(names(buildTar({ path: root }))).toEqual(['. directory 755', 'own.yaml file 644']);
    const resolved = readTar(buildTar({ path: root, resolveSymlinks: true }));
    expect(resolved.map((e) => `${e.name} ${e.kind} ${e.mode.toString(8)}`)).toEqual([
      '. directory 700',
      'linked.yaml file 600',
      'loop directory 755', // a cycle back to the root stops, as in Flux
      'own.yaml file 644',
      'shared directory 755',
      'shared/base.yaml file 644',
    ]);
  });

  test('a dangling symlink fails resolveSymlinks with the link named', () => {
    const root = makeTree([{ symlink: 'gone', target: '/does/not/exist' }]);
    temporary.push(root);
    expect(() => buildTar({ path: root, resolveSymlinks: true })).toThrow(
      /resolving symlink .*gone/,
    );
  });

  test('ignorePaths replace the defaults', () => {
    const root = makeTree([{ file: 'a.png' }, { file: 'b.yaml' }, { file: '.git/HEAD' }]);
    temporary.push(root);
    expect(names(buildTar({ path: root }))).toEqual(['. directory 755', 'b.yaml file 644']);
    expect(names(buildTar({ path: root, ignorePaths: ['*.yaml'] }))).toEqual([
      '. directory 755',
      '.git directory 755',
      '.git/HEAD file 644',
      'a.png file 644',
    ]);
  });

  test('identical trees give identical layers; a mode change gives another', () => {
    const a = fixtureCopy();
    const b = fixtureCopy();
    expect(buildLayer({ path: a }).layer.descriptor).toEqual(
      buildLayer({ path: b }).layer.descriptor,
    );
    chmodSync(join(b, 'README.md'), 0o600);
    expect(buildLayer({ path: a }).diffId).not.toBe(buildLayer({ path: b }).diffId);
  });

  test('links in the tree are skipped, not followed', () => {
    const root = makeTree([{ file: 'a.yaml' }]);
    temporary.push(root);
    symlinkSync('/etc/passwd', join(root, 'passwd'));
    expect(names(buildTar({ path: root }))).toEqual(['. directory 755', 'a.yaml file 644']);
  });
});

describe('annotations', () => {
  const path = 'test/fixtures/oci/tree/README.md';
  const annotationsOf = (artifact: { manifest: { bytes: Uint8Array } }) =>
    JSON.parse(Buffer.from(artifact.manifest.bytes).toString()).annotations;

  test('created, source and revision are always present', () => {
    const now = () => new Date('2025-03-04T05:06:07.891Z');
    expect(annotationsOf(buildArtifact({ path, now }))).toEqual({
      'org.opencontainers.image.created': '2025-03-04T05:06:07Z',
      'org.opencontainers.image.source': '',
      'org.opencontainers.image.revision': '',
    });
  });

  test('reproducible sets the epoch; custom annotations override; empty created falls back', () => {
    const annotations = annotationsOf(
      buildArtifact({
        path,
        reproducible: true,
        source: 's',
        annotations: {
          'org.opencontainers.image.source': 'custom',
          'org.opencontainers.image.created': '',
          x: 'y',
        },
      }),
    );
    expect(annotations).toEqual({
      'org.opencontainers.image.created': '1970-01-01T00:00:00Z',
      'org.opencontainers.image.source': 'custom',
      'org.opencontainers.image.revision': '',
      x: 'y',
    });
  });

  test.each([
    'yesterday',
    '2024-13-01T00:00:00Z',
    '2024-02-30T00:00:00Z',
    '2024-05-01 10:00:00Z',
    '2024-05-01T10:00:00+24:00',
  ])('created %p is refused', (created) => {
    expect(() => buildArtifact({ path, created })).toThrow(
      `invalid created timestamp "${created}"`,
    );
  });

  test.each([
    '2024-02-29T23:59:59Z',
    '2024-05-01T10:00:00.123456+05:30',
    '0001-01-01T00:00:00-00:00',
  ])('created %p is accepted', (created) => {
    expect(
      annotationsOf(buildArtifact({ path, created }))['org.opencontainers.image.created'],
    ).toBe(created);
  });
});
