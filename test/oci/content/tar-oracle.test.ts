import { execFileSync } from 'node:child_process';
import { rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { buildTar } from '../../../src/oci/content/build.js';
import { makeTree, type TreeItem } from './fixture-tree.js';
import { ORACLE_TIMEOUT_MS, oracleBinary, runOracle } from './oracle.js';

// Each case builds a tree, archives it with Flux 2.9's libraries (the oracle) and with ours,
// and requires the uncompressed tars (the layer's diffID content) to be identical bytes.

const created: string[] = [];
afterAll(() => created.forEach((dir) => rmSync(dir, { recursive: true, force: true })));

function tree(items: readonly TreeItem[]): string {
  const root = makeTree(items);
  created.push(root);
  return root;
}

function expectSameTar(path: string, ignore?: readonly string[]): Buffer {
  const ours = Buffer.from(buildTar({ path, ignorePaths: ignore }));
  const flux = runOracle(path, { ignore });
  expect(ours.length).toBe(flux.tar.length);
  expect(ours.equals(flux.tar)).toBe(true);
  return ours;
}

const long = (n: number, c = 'x') => c.repeat(n);

beforeAll(() => {
  oracleBinary();
}, ORACLE_TIMEOUT_MS);

describe('tar bytes equal Flux 2.9', () => {
  test('nested directories, modes, empty dir, empty and block-sized files', () => {
    const root = tree([
      { file: 'README.md', content: '# hi\n' },
      { file: 'apps/podinfo/deployment.yaml', content: 'kind: Deployment\n', mode: 0o600 },
      { file: 'apps/podinfo/run.sh', content: '#!/bin/sh\n', mode: 0o755 },
      { file: 'apps/podinfo/secret.yaml', content: 'x', mode: 0o640 },
      { dir: 'apps/private', mode: 0o700 },
      { dir: 'apps/shared', mode: 0o750 },
      { dir: 'empty' },
      { file: 'blocks/zero', content: '' },
      { file: 'blocks/512', content: long(512, 'a') },
      { file: 'blocks/513', content: long(513, 'b') },
      {
        file: 'blocks/binary',
        content: Uint8Array.from({ length: 3000 }, (_, i) => (i * 7) % 256),
      },
      { dir: 'special/setgid', mode: 0o2755 },
      { dir: 'special/sticky', mode: 0o1777 },
      { file: 'special/setuid', mode: 0o4755 },
    ]);
    const tar = expectSameTar(root);
    expect(tar.subarray(0, 2).toString()).toBe('.\0');
  });

  test('long ASCII names: USTAR prefix split and PAX fallback', () => {
    const dir100 = long(100, 'd');
    const root = tree([
      { file: `${dir100}/file.yaml` }, // 110 bytes: split
      { dir: dir100.slice(0, 99) + 'e' }, // exactly 100 bytes: fits
      { file: `short/${long(120, 'n')}.yaml` }, // basename > 100: PAX
      { file: `${long(150, 'p')}/${long(90, 'q')}` }, // prefix 150 + name 90: split
      { file: `${long(155, 'r')}/s` }, // prefix exactly 155
      { file: `${long(100, 'a')}/${long(100, 'b')}/${long(60, 'c')}` }, // prefix too long: PAX
      { file: `${long(99, 'w')}/` + long(101, 'z') }, // name part over 100
    ]);
    expectSameTar(root);
  });

  test('non-ASCII names use PAX headers and byte-wise order', () => {
    const root = tree([
      { file: 'café.yaml', content: 'a' },
      { file: '日本/設定.yaml', content: 'b' },
      { file: 'rocket-🚀.yaml', content: 'c' },
      { file: 'order/～', content: 'd' }, // U+FF5E sorts before U+1F600 by bytes, after by UTF-16
      { file: 'order/😀', content: 'e' },
      { file: 'order/B', content: 'f' },
      { file: 'order/a', content: 'g' },
      { file: `${long(60, 'é')}.yaml`, content: 'h' }, // 125 bytes, non-ASCII and long
      { dir: 'ünïcode-dir/sub' },
    ]);
    expectSameTar(root);
  });

  test('default ignore paths', () => {
    const root = tree([
      { file: '.git/config', content: '[core]' },
      { file: '.git/objects/ab/cdef', content: 'x' },
      { file: '.gitignore', content: 'x' },
      { file: '.gitmodules', content: 'x' },
      { file: '.gitattributes', content: 'x' },
      { file: '.github/workflows/ci.yaml', content: 'on: push' },
      { file: '.sourceignore', content: '*.yaml' },
      { file: 'logo.png', content: 'x' },
      { file: 'deep/photo.JPG', content: 'x' },
      { file: 'deep/photo.jpg', content: 'x' },
      { file: 'bundle.tar.gz', content: 'x' },
      { file: 'bundle.zip', content: 'x' },
      { file: 'keep.yaml', content: 'x' },
      { file: 'sub/.git', content: 'gitdir: x' },
    ]);
    expectSameTar(root);
  });

  test('custom ignore paths with negation, anchors, globs and classes', () => {
    const root = tree([
      { file: 'a.yaml' },
      { file: 'keep.yaml' },
      { file: 'anchored.txt' },
      { file: 'sub/anchored.txt' },
      { file: 'deep/x/y/deep.txt' },
      { file: 'a/b' },
      { file: 'a/x/y/b' },
      { file: 'a/x/y/c' },
      { file: 'a.txt' },
      { file: 'd.txt' },
      { file: 'xy.md' },
      { file: 'zy.md' },
      { file: '#hash' },
      { file: 'trail.txt' },
      { file: 'build/out.bin' },
      { file: 'build/keep.bin' },
      { file: 'dironly' },
      { file: 'nested/dironly/f' },
      { file: 'vendor/lib/file.go' },
      { file: 'vendor/lib/keep.go' },
      { file: 'bad[pattern' },
    ]);
    expectSameTar(root, [
      '*.yaml',
      '!keep.yaml',
      '/anchored.txt',
      '**/deep.txt',
      'a/**/b',
      '[ab].txt',
      '[^x]y.md',
      '\\#hash',
      '# a comment',
      'trail.txt   ',
      'build/',
      '!build/keep.bin',
      'dironly/',
      'vendor/**',
      '!vendor/lib/keep.go',
      'bad[',
    ]);
  });

  test('an empty ignore list archives everything', () => {
    const root = tree([{ file: '.git/HEAD', content: 'ref' }, { file: 'x.png' }]);
    expectSameTar(root, []);
  });

  test('symlinks, dangling links and fifos are skipped, not followed', () => {
    const root = tree([
      { file: 'real/file.yaml', content: 'real' },
      { symlink: 'link-to-file.yaml', target: 'real/file.yaml' },
      { symlink: 'link-to-dir', target: 'real' },
      { symlink: 'dangling', target: 'does/not/exist' },
      { symlink: 'outside', target: '/etc' },
    ]);
    execFileSync('mkfifo', [join(root, 'pipe')]);
    expectSameTar(root);
  });

  test('a single file is archived as . (0700) and its name', () => {
    const root = tree([{ file: 'one.yaml', content: 'kind: ConfigMap\n', mode: 0o640 }]);
    const tar = expectSameTar(join(root, 'one.yaml'));
    expect(tar.subarray(100, 107).toString()).toBe('0000700');
  });

  test('an empty directory and a symlinked root', () => {
    const root = tree([{ dir: 'nothing' }]);
    expectSameTar(join(root, 'nothing'));
    const link = join(tmpdir(), `fixture-link-${process.pid}`);
    rmSync(link, { force: true });
    symlinkSync(root, link);
    try {
      expect(expectSameTar(link).length).toBe(1024);
    } finally {
      rmSync(link);
    }
  });

  test('a large file', () => {
    const root = tree([{ file: 'big.bin', content: Buffer.alloc(3 * 1024 * 1024 + 17, 'k') }]);
    writeFileSync(join(root, 'small'), 's');
    expectSameTar(root);
  });
});
