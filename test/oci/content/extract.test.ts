import {
  chmodSync,
  existsSync,
  lstatSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  statSync,
  symlinkSync,
  writeFileSync,
} from 'node:fs';
import { spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { hostname, tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { gzipSync } from 'node:zlib';
import tarStream from 'tar-stream';
import { UserError } from '../../../src/errors.js';
import { buildLayer } from '../../../src/oci/content/build.js';
import {
  extractLayerFile,
  LayerExtraction,
} from '../../../src/oci/content/archive/layer-extraction.js';
import {
  extractLayer,
  readLayer,
  type ExtractOptions,
  type ExtractResult,
} from '../../../src/oci/content/archive/extract.js';
import { makeTree } from './fixture-tree.js';

const repoRoot = join(dirname(fileURLToPath(import.meta.url)), '..', '..', '..');

// Crafted archives come from tar-stream, an independent tar implementation that writes
// whatever names and types it is given.
type Item = Partial<tarStream.Header> & { name: string; content?: string };

async function craftLayer(items: readonly Item[]): Promise<Buffer> {
  const pack = tarStream.pack();
  const collected = (async () => {
    const chunks: Buffer[] = [];
    for await (const chunk of pack) chunks.push(chunk as Buffer);
    return Buffer.concat(chunks);
  })();
  for (const { content, ...header } of items) {
    await new Promise<void>((resolve, reject) => {
      const done = (err?: Error | null) => (err ? reject(err) : resolve());
      if (content === undefined) pack.entry(header, done);
      else pack.entry(header, content, done);
    });
  }
  pack.finalize();
  return gzipSync(await collected);
}

let sandbox: string;
let target: string;
beforeEach(() => {
  sandbox = mkdtempSync(join(tmpdir(), 'extract-sandbox-'));
  target = join(sandbox, 'out');
});
afterEach(() => rmSync(sandbox, { recursive: true, force: true }));

/** The sandbox holds nothing but the target directory (which may or may not exist). */
function expectNothingOutsideTarget(): void {
  expect(readdirSync(sandbox).filter((name) => name !== 'out')).toEqual([]);
}

function listTree(dir: string, prefix = ''): string[] {
  return readdirSync(dir, { withFileTypes: true })
    .sort((a, b) => (a.name < b.name ? -1 : 1))
    .flatMap((entry) => {
      const rel = `${prefix}${entry.name}`;
      const kind = entry.isDirectory() ? 'dir' : entry.isFile() ? 'file' : 'other';
      const mode = (lstatSync(join(dir, entry.name)).mode & 0o7777).toString(8);
      const self = `${rel} ${kind} ${mode}`;
      return entry.isDirectory() ? [self, ...listTree(join(dir, entry.name), `${rel}/`)] : [self];
    });
}

type Extract = (layer: Buffer, target: string, options?: ExtractOptions) => Promise<ExtractResult>;

const layerFiles = mkdtempSync(join(tmpdir(), 'extract-layers-'));
afterAll(() => rmSync(layerFiles, { recursive: true, force: true }));
let layerCount = 0;

/** The same rules hold for a layer in memory and one streamed from a file (`pull artifact`). */
const extractors: [string, Extract][] = [
  ['extractLayer (in memory)', async (layer, to, options) => extractLayer(layer, to, options)],
  [
    'extractLayerFile (streamed)',
    async (layer, to, options) => {
      const file = join(layerFiles, `layer-${layerCount++}.tgz`);
      writeFileSync(file, layer);
      return extractLayerFile(file, to, options);
    },
  ],
];

describe.each(extractors)('%s', (name, extract) => {
  // `pull artifact`'s extraction stages: a layer refused halfway leaves the target as it was.
  const staged = name.includes('streamed');
  describe('refuses hostile names before writing anything', () => {
    test.each([
      ['an absolute path', `/tmp/flux-oci-escape-${process.pid}/evil.txt`, 'absolute path'],
      ['a parent reference', '../escape.txt', '".." in path'],
      ['a nested parent reference', 'a/../../escape.txt', '".." in path'],
      ['a trailing parent reference', 'a/..', '".." in path'],
      ['a backslash', '..\\escape.txt', 'backslash in name'],
    ])('%s', async (_title, name, why) => {
      const layer = await craftLayer([
        { name: 'first.yaml', content: 'written only if the whole layer is safe' },
        { name, content: 'evil' },
      ]);
      await expect(extract(layer, target)).rejects.toThrow(UserError);
      await expect(extract(layer, target)).rejects.toThrow(
        `refusing layer entry "${name}": ${why}`,
      );
      expectNothingOutsideTarget();
      expect(existsSync(join(target, 'first.yaml'))).toBe(false);
      expect(existsSync(`/tmp/flux-oci-escape-${process.pid}`)).toBe(false);
    });

    test('a PAX path record carrying ..', async () => {
      const layer = await craftLayer([
        // tar-stream writes the name as a PAX path record and "PaxHeader" in the header.
        { name: '../pax-escape', pax: {}, content: 'evil' },
      ]);
      await expect(extract(layer, target)).rejects.toThrow('refusing layer entry "../pax-escape"');
      expectNothingOutsideTarget();
    });
  });

  describe('refuses names the file system cannot hold', () => {
    test.each([
      [
        'a file name over 255 bytes',
        `dir/${'n'.repeat(300)}.yaml`,
        () => 'a name of 305 bytes, over the 255',
      ],
      [
        'a path over 4095 bytes',
        `${Array.from({ length: 20 }, () => 'd'.repeat(250)).join('/')}/x.yaml`,
        (name: string) =>
          `a path of ${Buffer.byteLength(join(target, name))} bytes under ${target},`,
      ],
    ])('%s, with a message instead of ENAMETOOLONG', async (_title, name, why) => {
      const layer = await craftLayer([
        { name: 'first.yaml', content: 'written only if every name fits' },
        { name, content: 'long' },
      ]);
      let error: unknown;
      try {
        await extract(layer, target);
      } catch (err) {
        error = err;
      }
      expect(error).toBeInstanceOf(UserError);
      const message = (error as Error).message;
      expect(message).toContain(`refusing layer entry "${name.slice(0, 120)}…": ${why(name)}`);
      expect(message).toMatch(/over the (255 a file name may have|4095 the system takes);/);
      expect(message).toContain('the artifact cannot be extracted on this system');
      expect(existsSync(join(target, 'first.yaml'))).toBe(false);
      expectNothingOutsideTarget();
    });
  });

  describe('skips links and devices', () => {
    test('symlink, hard link, devices and fifo are not created; a later file under the link name stays inside', async () => {
      const layer = await craftLayer([
        { name: 'link', type: 'symlink', linkname: sandbox },
        { name: 'hard', type: 'link', linkname: '/etc/passwd' },
        { name: 'null', type: 'character-device', devmajor: 1, devminor: 3 },
        { name: 'disk', type: 'block-device', devmajor: 8, devminor: 0 },
        { name: 'pipe', type: 'fifo' },
        { name: 'link/inside.txt', content: 'stays in the target' },
      ]);
      const result = await extract(layer, target);
      expect(result.skipped.map((s) => `${s.name} ${s.kind}`)).toEqual([
        'link symlink',
        'hard hardlink',
        'null character-device',
        'disk block-device',
        'pipe fifo',
      ]);
      expect(listTree(target)).toEqual(['link dir 750', 'link/inside.txt file 644']);
      expectNothingOutsideTarget();
    });

    test('a symlink already inside the target is never followed', async () => {
      mkdirSync(target);
      mkdirSync(join(sandbox, 'outside'));
      symlinkSync(join(sandbox, 'outside'), join(target, 'dir'));
      symlinkSync(join(sandbox, 'outside', 'file'), join(target, 'file'));
      const intoDir = await craftLayer([{ name: 'dir/evil.txt', content: 'evil' }]);
      await expect(extract(intoDir, target)).rejects.toThrow(
        /not a directory \(a symlink is never followed\)/,
      );
      const ontoFile = await craftLayer([{ name: 'file', content: 'evil' }]);
      await expect(extract(ontoFile, target)).rejects.toThrow(/refusing to overwrite .*file/);
      expect(readdirSync(join(sandbox, 'outside'))).toEqual([]);
    });
  });

  describe('entries that collide', () => {
    test('a file where a directory entry was is refused (staged: the target gets nothing)', async () => {
      const layer = await craftLayer([
        { name: 'a', type: 'directory' },
        { name: 'a/inside.yaml', content: 'x' },
        { name: 'a', content: 'a file over the directory' },
      ]);
      await expect(extract(layer, target)).rejects.toThrow(
        staged
          ? 'refusing layer entry "a": an earlier entry of the layer is a file where it needs a directory, or the reverse; the artifact cannot be extracted (push it again from a tree without the clash)'
          : /a: it exists and is not a regular file/,
      );
      if (staged) expect(existsSync(target) ? readdirSync(target) : []).toEqual([]);
      expectNothingOutsideTarget();
    });

    test('a directory where a file entry was is refused (staged: the target gets nothing)', async () => {
      const layer = await craftLayer([
        { name: 'b/one.yaml', content: '1' },
        { name: 'b/file', content: 'a file' },
        { name: 'b/file/below.yaml', content: 'x' },
      ]);
      await expect(extract(layer, target)).rejects.toThrow(
        staged
          ? 'refusing layer entry "b/file/below.yaml": an earlier entry of the layer is a file where it needs a directory, or the reverse; the artifact cannot be extracted (push it again from a tree without the clash)'
          : /b\/file: it exists and is not a directory/,
      );
      if (staged) expect(existsSync(target) ? readdirSync(target) : []).toEqual([]);
      expectNothingOutsideTarget();
    });

    test('a file given twice holds the last content; a skipped fifo leaves its name to a file', async () => {
      const layer = await craftLayer([
        { name: 'c/x.yaml', content: 'the first and longer content' },
        { name: 'pipe', type: 'fifo' },
        { name: 'c/x.yaml', content: 'second' },
        { name: 'pipe', content: 'a file now' },
      ]);
      await extract(layer, target);
      expect(readFileSync(join(target, 'c', 'x.yaml'), 'utf8')).toBe('second');
      expect(readFileSync(join(target, 'pipe'), 'utf8')).toBe('a file now');
      expectNothingOutsideTarget();
    });
  });

  test('merges into an existing tree: its other files stay, a file of the layer replaces one', async () => {
    mkdirSync(join(target, 'apps'), { recursive: true });
    writeFileSync(join(target, 'apps', 'mine.yaml'), 'kept');
    writeFileSync(join(target, 'apps', 'app.yaml'), 'old');
    writeFileSync(join(target, 'top.yaml'), 'kept too');
    const layer = await craftLayer([
      { name: 'apps/app.yaml', content: 'new' },
      { name: 'apps/more/x.yaml', content: 'x' },
      { name: 'fresh/y.yaml', content: 'y' },
    ]);
    await extract(layer, target);
    expect(readFileSync(join(target, 'apps', 'mine.yaml'), 'utf8')).toBe('kept');
    expect(readFileSync(join(target, 'apps', 'app.yaml'), 'utf8')).toBe('new');
    expect(readFileSync(join(target, 'top.yaml'), 'utf8')).toBe('kept too');
    expect(readFileSync(join(target, 'apps', 'more', 'x.yaml'), 'utf8')).toBe('x');
    expect(readFileSync(join(target, 'fresh', 'y.yaml'), 'utf8')).toBe('y');
    expectNothingOutsideTarget();
  });

  describe('limits the decompressed size', () => {
    test('a bomb beyond the limit is refused and writes nothing', async () => {
      const layer = await craftLayer([
        { name: 'small.yaml', content: 'ok' },
        { name: 'zeros', content: '\0'.repeat(8 * 1024 * 1024) },
      ]);
      expect(layer.length).toBeLessThan(64 * 1024);
      await expect(extract(layer, target, { maxSize: 1024 * 1024 })).rejects.toThrow(
        /decompresses to more than 1048576 bytes/,
      );
      expect(existsSync(join(target, 'small.yaml'))).toBe(false);
      expectNothingOutsideTarget();
    });
  });

  describe('on a layer we built', () => {
    test('recreates the tree: names, content, permission bits (never setuid), dirs at least 0700', async () => {
      const tree = makeTree([
        { file: 'a/b/c.yaml', content: 'c' },
        { file: 'a/run.sh', content: '#!/bin/sh', mode: 0o755 },
        { file: 'secret.yaml', content: 's', mode: 0o600 },
        { file: 'setuid', content: 'x', mode: 0o4755 },
        { dir: 'locked', mode: 0o500 },
        { dir: 'empty' },
      ]);
      try {
        const { layer } = buildLayer({ path: tree });
        const result = await extract(Buffer.from(layer.bytes), target);
        expect(result).toEqual({ files: 4, directories: 4, skipped: [] });
        expect(listTree(target)).toEqual([
          'a dir 755',
          'a/b dir 755',
          'a/b/c.yaml file 644',
          'a/run.sh file 755',
          'empty dir 755',
          'locked dir 700',
          'secret.yaml file 600',
          'setuid file 755',
        ]);
        expect(readFileSync(join(target, 'a/b/c.yaml'), 'utf8')).toBe('c');
        expect(statSync(target).isDirectory()).toBe(true);
      } finally {
        rmSync(tree, { recursive: true, force: true });
      }
    });

    test('a layer that is not gzip is refused', async () => {
      await expect(extract(Buffer.from('plain'), target)).rejects.toThrow(/not gzip-compressed/);
      expectNothingOutsideTarget();
    });
  });
});

describe('readLayer', () => {
  test('readLayer lists entries in memory without writing', () => {
    const tree = makeTree([{ file: 'x.yaml', content: 'x: 1' }]);
    try {
      const entries = readLayer(buildLayer({ path: tree }).layer.bytes);
      expect(entries.map((e) => [e.name, e.kind, Buffer.from(e.content).toString()])).toEqual([
        ['.', 'directory', ''],
        ['x.yaml', 'file', 'x: 1'],
      ]);
    } finally {
      rmSync(tree, { recursive: true, force: true });
    }
  });
});

describe('LayerExtraction as a user without write permission (uid 65534: root bypasses permissions)', () => {
  /** Runs extractLayerFile as nobody in a process of its own; the sandbox becomes theirs. */
  async function extractAsNobody(
    items: readonly Item[],
  ): Promise<{ status: number | null; stderr: string }> {
    const layer = join(sandbox, 'layer.tgz');
    writeFileSync(layer, await craftLayer(items));
    expect(spawnSync('chown', ['-R', '65534:65534', sandbox]).status).toBe(0);
    const run = spawnSync(
      'setpriv',
      [
        '--reuid=65534',
        '--regid=65534',
        '--clear-groups',
        process.execPath,
        '--import',
        'tsx',
        join(repoRoot, 'test', 'support', 'extract-layer-file-main.ts'),
        layer,
        target,
      ],
      { encoding: 'utf8', cwd: repoRoot, env: { ...process.env, HOME: sandbox, TMPDIR: tmpdir() } },
    );
    return { status: run.status, stderr: run.stderr };
  }

  test('a read-only directory of the target is refused in one line before anything moves', async () => {
    mkdirSync(join(target, 'sub'), { recursive: true });
    writeFileSync(join(target, 'a.txt'), 'old');
    chmodSync(join(target, 'sub'), 0o555);
    const run = await extractAsNobody([
      { name: 'a.txt', content: 'new' },
      { name: 'sub/b.txt', content: 'b' },
    ]);
    expect(run.stderr).toBe(
      `cannot write into ${join(target, 'sub')} (permission denied): choose a writable --output\n`,
    );
    expect(run.status).toBe(1);
    expect(readFileSync(join(target, 'a.txt'), 'utf8')).toBe('old');
    expect(readdirSync(join(target, 'sub'))).toEqual([]);
    expect(readdirSync(sandbox).sort()).toEqual(['layer.tgz', 'out']);
  });

  test('a target it cannot write into is refused in one line before any extraction', async () => {
    mkdirSync(target);
    chmodSync(target, 0o555);
    const run = await extractAsNobody([{ name: 'a.txt', content: 'new' }]);
    expect(run.stderr).toBe(
      `cannot write into ${target} (permission denied): choose a writable --output\n`,
    );
    expect(run.status).toBe(1);
    expect(readdirSync(target)).toEqual([]);
    expect(readdirSync(sandbox).sort()).toEqual(['layer.tgz', 'out']);
  });
});

describe('LayerExtraction stages where renames reach the target', () => {
  const stagingNames = (dir: string): string[] =>
    readdirSync(dir).filter((name) => name.includes('.flux-oci-'));

  test('beside the target when its parent is on the same file system, and moves the tree in on commit', async () => {
    const extraction = new LayerExtraction(target);
    expect(stagingNames(sandbox)).toEqual([expect.stringMatching(/^\.out\.flux-oci-/)]);
    await extraction.write(await craftLayer([{ name: 'a.yaml', content: 'a' }]));
    await extraction.finish();
    expect(readdirSync(target)).toEqual([]);
    extraction.commit();
    expect(readdirSync(target)).toEqual(['a.yaml']);
    expectNothingOutsideTarget();
  });

  test('inside the target when the target is on another file system than its parent', async () => {
    // /dev/shm is a tmpfs of its own: a target linked there is a mount point seen from here.
    const elsewhere = mkdtempSync('/dev/shm/extract-elsewhere-');
    try {
      symlinkSync(elsewhere, target);
      expect(statSync(elsewhere).dev).not.toBe(statSync(sandbox).dev);
      const extraction = new LayerExtraction(target);
      expect(stagingNames(elsewhere)).toEqual([expect.stringMatching(/^\.flux-oci-/)]);
      await extraction.write(await craftLayer([{ name: 'a.yaml', content: 'a' }]));
      await extraction.finish();
      extraction.commit();
      expect(readdirSync(elsewhere)).toEqual(['a.yaml']);
    } finally {
      rmSync(elsewhere, { recursive: true, force: true });
    }
  });

  test('inside the target when it is a bind mount of the same file system (rename refused across mount points)', async () => {
    // Kubernetes subPath/emptyDir, `docker -v`, Tekton workspaces: same st_dev, but Linux
    // refuses rename(2) from the parent into the mount point (EXDEV).
    const mounted = join(sandbox, 'mounted');
    mkdirSync(mounted);
    mkdirSync(target);
    const layer = join(sandbox, 'layer.tgz');
    writeFileSync(layer, await craftLayer([{ name: 'a.yaml', content: 'a' }]));
    const run = spawnSync(
      'unshare',
      [
        '-rm',
        'sh',
        '-c',
        'mount --bind "$1" "$2" && stat -c %d "$(dirname "$2")" "$2" && exec "$3" --import tsx "$4" "$5" "$2"',
        'sh',
        mounted,
        target,
        process.execPath,
        join(repoRoot, 'test', 'support', 'extract-layer-file-main.ts'),
        layer,
      ],
      { encoding: 'utf8', cwd: repoRoot },
    );
    expect(run.stderr).toBe('');
    const [parentDev, targetDev, result] = run.stdout.trim().split('\n');
    expect(targetDev).toBe(parentDev);
    expect(JSON.parse(result!)).toMatchObject({ files: 1 });
    expect(run.status).toBe(0);
    expect(readdirSync(mounted)).toEqual(['a.yaml']);
    expect(readdirSync(sandbox).sort()).toEqual(['layer.tgz', 'mounted', 'out']);
  });

  test("removes staging directories left by gone pulls of this user on this host; keeps a running one and another host's", async () => {
    const host = createHash('sha256').update(hostname()).digest('hex').slice(0, 8);
    const gonePid = spawnSync(process.execPath, ['-e', '']).pid;
    mkdirSync(target);
    const goneBeside = join(sandbox, `.out.flux-oci-${host}-${gonePid}-abc123`);
    const goneInside = join(target, `.flux-oci-${host}-${gonePid}-def456`);
    const running = join(sandbox, `.out.flux-oci-${host}-${process.ppid}-ghi789`);
    const otherHost = join(
      sandbox,
      `.out.flux-oci-${host === '00000000' ? '11111111' : '00000000'}-${gonePid}-jkl012`,
    );
    for (const dir of [goneBeside, goneInside, running, otherHost]) {
      mkdirSync(dir);
      writeFileSync(join(dir, 'partial.yaml'), 'unverified');
    }
    const extraction = new LayerExtraction(target);
    try {
      expect(existsSync(goneBeside)).toBe(false);
      expect(existsSync(goneInside)).toBe(false);
      expect(existsSync(running)).toBe(true);
      expect(existsSync(otherHost)).toBe(true);
    } finally {
      extraction.discard();
    }
  });

  test('build never packs a staging directory an interrupted pull left', () => {
    const host = createHash('sha256').update(hostname()).digest('hex').slice(0, 8);
    const tree = makeTree([
      { file: 'x.yaml', content: 'x: 1' },
      { file: `.flux-oci-${host}-123-abc123/partial.yaml`, content: 'unverified' },
      { file: `sub/.out.flux-oci-${host}-123-abc123/partial.yaml`, content: 'unverified' },
      { file: 'sub/.flux-oci-notes.yaml', content: 'kept' },
    ]);
    try {
      const names = readLayer(buildLayer({ path: tree }).layer.bytes).map((e) => e.name);
      expect(names).toEqual(['.', 'sub', 'sub/.flux-oci-notes.yaml', 'x.yaml']);
    } finally {
      rmSync(tree, { recursive: true, force: true });
    }
  });

  test('a target it created is removed again when the extraction fails', async () => {
    const nested = join(sandbox, 'new', 'out');
    await expect(extractLayerFile(join(sandbox, 'missing-layer.tgz'), nested)).rejects.toThrow(
      /ENOENT/,
    );
    const extraction = new LayerExtraction(nested);
    await extraction.write(Buffer.from('plain'));
    await expect(extraction.finish()).rejects.toThrow(/not gzip-compressed/);
    extraction.discard();
    expect(readdirSync(sandbox)).toEqual([]);
  });

  test('a layer decompressing to more than its file system has free is refused in one line, before it fills it', async () => {
    // Bytes are staged before their digest is known: a tampered layer must not fill the disk.
    const small = join(sandbox, 'small');
    mkdirSync(small);
    const layer = join(sandbox, 'layer.tgz');
    // 32 MiB of zeros (~32 KiB gzip), well under the 100 MiB size limit, over an 8 MiB tmpfs.
    writeFileSync(
      layer,
      await craftLayer([{ name: 'zeros.bin', content: '\0'.repeat(32 * 1024 * 1024) }]),
    );
    const run = spawnSync(
      'unshare',
      [
        '-rm',
        'sh',
        '-c',
        'mount -t tmpfs -o size=8m tmpfs "$1" && mkdir "$1/out" && "$2" --import tsx "$3" "$4" "$1/out"; echo "exit $?"; ls -A "$1" "$1/out"',
        'sh',
        small,
        process.execPath,
        join(repoRoot, 'test', 'support', 'extract-layer-file-main.ts'),
        layer,
      ],
      { encoding: 'utf8', cwd: repoRoot },
    );
    expect(run.stderr).toMatch(
      new RegExp(
        `^layer decompresses to more than the \\d+ bytes free on the file system of ${small} \\(keeping 5%, at most 1 GiB, free for others\\); free some space or choose another --output\n$`,
      ),
    );
    expect(run.stdout).toBe(`exit 1\n${small}:\nout\n\n${small}/out:\n`);
  });

  test('discard leaves the target as it was', async () => {
    mkdirSync(target);
    writeFileSync(join(target, 'mine.yaml'), 'kept');
    const extraction = new LayerExtraction(target);
    await extraction.write(await craftLayer([{ name: 'mine.yaml', content: 'replaced?' }]));
    await extraction.finish();
    extraction.discard();
    expect(readdirSync(target)).toEqual(['mine.yaml']);
    expect(readFileSync(join(target, 'mine.yaml'), 'utf8')).toBe('kept');
    expectNothingOutsideTarget();
  });
});
