// The streamed paths give the bytes and entries of the in-memory ones: the portable deflate
// fed piece by piece equals gzip() (pako 3.0.3, the components artifact's compressor), the
// tar written a piece at a time equals writeTar, and the streaming tar reader sees what
// readTar sees however the archive is cut.
import { createHash } from 'node:crypto';
import { rmSync } from 'node:fs';
import { deflateRawSync, gunzipSync } from 'node:zlib';
import { buildTar, tarDiffId, tarPieces } from '../../../src/oci/content/build.js';
import { gzipChunks } from '../../../src/oci/content/gzip/gzip.js';
import { gzip } from '../../../src/oci/content/gzip/portable-gzip.js';
import { readTar } from '../../../src/oci/content/archive/tar-reader.js';
import {
  TarStreamReader,
  type TarEntryHeader,
} from '../../../src/oci/content/archive/tar-stream-reader.js';
import { makeTree } from './fixture-tree.js';

/** Deterministic text that deflate can work on: YAML-looking lines, `bytes` long. */
function text(seed: string, bytes: number): string {
  let out = '';
  for (let i = 0; out.length < bytes; i++) {
    out += `key-${i}: ${createHash('sha256')
      .update(`${seed}/${i}`)
      .digest('base64')
      .slice(0, 20 + (i % 30))}\n`;
  }
  return out.slice(0, bytes);
}

const sha256 = (bytes: Uint8Array): string => createHash('sha256').update(bytes).digest('hex');

let tree: string;
beforeAll(() => {
  tree = makeTree([
    { file: 'big/a.yaml', content: text('a', 1.5 * 1024 * 1024 + 17) }, // two read pieces
    { file: 'big/b.yaml', content: text('b', 1024 * 1024) }, // exactly one piece
    { file: 'empty.yaml', content: '' },
    { file: `${'long-directory-name/'.repeat(6)}file.yaml`, content: 'ustar prefix split' },
    { file: `${'x'.repeat(120)}/ünïcödé.yaml`, content: 'a PAX path record' },
    { file: 'run.sh', content: '#!/bin/sh\n', mode: 0o755 },
  ]);
});
afterAll(() => rmSync(tree, { recursive: true, force: true }));

test('the tar made in pieces is the tar made whole, and its diffID', () => {
  const whole = buildTar({ path: tree });
  expect(Buffer.concat([...tarPieces({ path: tree })]).equals(Buffer.from(whole))).toBe(true);
  expect(tarDiffId({ path: tree })).toBe(
    `sha256:${createHash('sha256').update(whole).digest('hex')}`,
  );
});

test('the portable deflate fed piece by piece gives gzip()’s bytes exactly', async () => {
  const pieces: Uint8Array[] = [];
  for await (const piece of gzipChunks(tarPieces({ path: tree }), 'portable')) pieces.push(piece);
  expect(Buffer.concat(pieces).equals(Buffer.from(gzip(buildTar({ path: tree }))))).toBe(true);
});

describe('the native deflate (blocks compressed side by side)', () => {
  const native = async (pieces: Iterable<Uint8Array>): Promise<Buffer> => {
    const out: Uint8Array[] = [];
    for await (const piece of gzipChunks(pieces, 'native')) out.push(piece);
    return Buffer.concat(out);
  };
  /** 4.5 MiB: a random 16 KiB run repeated, so deflate finds matches across every block edge. */
  const repeated = (): Buffer => {
    const run = createHash('sha512').update('run').digest();
    const random = Buffer.concat(
      Array.from({ length: 256 }, (_, i) => createHash('sha512').update(`${run}/${i}`).digest()),
    );
    return Buffer.concat(Array.from({ length: 288 }, () => random));
  };

  test('a tree of one block gives deflateRawSync’s bytes, between gzip()’s header and trailer', async () => {
    const tar = Buffer.from(buildTar({ path: tree })).subarray(0, 1024 * 1024 - 1);
    const layer = await native([tar]);
    const portable = Buffer.from(gzip(tar));
    expect(layer.subarray(0, 10).equals(portable.subarray(0, 10))).toBe(true);
    expect(layer.subarray(-8).equals(portable.subarray(-8))).toBe(true);
    expect(layer.subarray(10, -8).equals(deflateRawSync(tar, { level: 6, memLevel: 8 }))).toBe(
      true,
    );
  });

  test.each([4093, 1024 * 1024, 3 * 1024 * 1024, 8 * 1024 * 1024])(
    'fed %i bytes at a time, the blocks join into one gzip stream of the input, as small as one pass',
    async (size) => {
      const data = repeated();
      const pieces = Array.from({ length: Math.ceil(data.length / size) }, (_, i) =>
        data.subarray(i * size, (i + 1) * size),
      );
      const layer = await native(pieces);
      expect(gunzipSync(layer).equals(data)).toBe(true);
      // Each block primed with the 32 KiB before it: no block starts from scratch.
      expect(layer.length).toBeLessThan(deflateRawSync(data).length * 1.05 + 64);
    },
  );
});

test.each([7, 511, 513, 65536])(
  'the streaming tar reader fed %i bytes at a time sees what readTar sees',
  (size) => {
    const tar = buildTar({ path: tree });
    const entries: (TarEntryHeader & { content: string })[] = [];
    let pieces: Buffer[] = [];
    const flush = (): void => {
      if (entries.length > 0) entries[entries.length - 1]!.content = sha256(Buffer.concat(pieces));
      pieces = [];
    };
    const reader = new TarStreamReader(
      (entry) => {
        flush();
        entries.push({ ...entry, content: '' });
      },
      (piece) => void pieces.push(Buffer.from(piece)),
    );
    for (let offset = 0; offset < tar.length; offset += size) {
      reader.write(tar.subarray(offset, offset + size));
    }
    reader.end();
    flush();
    const expected = readTar(tar).map((e) => ({ ...e, content: sha256(e.content) }));
    expect(entries).toEqual(expected);
  },
);

test('the streaming tar reader refuses an archive cut inside an entry', () => {
  const tar = buildTar({ path: tree });
  const reader = new TarStreamReader(
    () => undefined,
    () => undefined,
  );
  reader.write(tar.subarray(0, 4096));
  expect(() => reader.end()).toThrow(/runs past the end/);
});
