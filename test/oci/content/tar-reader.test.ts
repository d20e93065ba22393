import { createHash } from 'node:crypto';
import { rmSync } from 'node:fs';
import { UserError } from '../../../src/errors.js';
import { diffTarEntries } from '../../../src/oci/content/archive/tar-diff.js';
import {
  headerByteSum,
  highByteCount,
  readTar,
} from '../../../src/oci/content/archive/tar-reader.js';
import { writeTar } from '../../../src/oci/content/archive/tar-writer.js';
import { makeTree } from './fixture-tree.js';
import { ORACLE_TIMEOUT_MS, oracleBinary, runOracle } from './oracle.js';

beforeAll(() => oracleBinary(), ORACLE_TIMEOUT_MS);

describe('readTar', () => {
  test("reads Go's archives: USTAR prefixes, PAX paths, modes and content", () => {
    const long = `${'d'.repeat(120)}/${'f'.repeat(90)}`;
    const root = makeTree([
      { file: long, content: 'split' },
      { file: `x/${'n'.repeat(130)}`, content: 'pax' },
      { file: 'ünï/café.yaml', content: 'utf8', mode: 0o600 },
    ]);
    try {
      const entries = readTar(runOracle(root).tar);
      expect(
        entries.map((e) => `${e.name} ${e.kind} ${e.mode.toString(8)} ${Buffer.from(e.content)}`),
      ).toEqual([
        '. directory 755 ',
        `${'d'.repeat(120)} directory 755 `,
        `${long} file 644 split`,
        'x directory 755 ',
        `x/${'n'.repeat(130)} file 644 pax`,
        'ünï directory 755 ',
        'ünï/café.yaml file 600 utf8',
      ]);
    } finally {
      rmSync(root, { recursive: true, force: true });
    }
  });

  test('round trip with writeTar', () => {
    const tar = writeTar([
      { name: '.', type: 'directory', mode: 0o755 },
      { name: 'a.bin', type: 'file', mode: 0o644, content: Buffer.alloc(1025, 7) },
    ]);
    const [root, file] = readTar(tar);
    expect(root).toMatchObject({ name: '.', kind: 'directory', size: 0 });
    expect(file).toMatchObject({ name: 'a.bin', kind: 'file', mode: 0o644, size: 1025 });
    expect(Buffer.from(file!.content).equals(Buffer.alloc(1025, 7))).toBe(true);
  });

  test('refuses a bad checksum and a truncated entry', () => {
    const tar = Buffer.from(
      writeTar([{ name: 'a', type: 'file', mode: 0o644, content: Buffer.alloc(600) }]),
    );
    const corrupt = Buffer.from(tar);
    corrupt[0] = 0x62;
    expect(() => readTar(corrupt)).toThrow(/bad header checksum at offset 0/);
    expect(() => readTar(tar.subarray(0, 700))).toThrow(UserError);
  });
});

describe('diffTarEntries', () => {
  const dir = (name: string, mode = 0o755) => ({ name, type: 'directory' as const, mode });
  const file = (name: string, content: string, mode = 0o644) => ({
    name,
    type: 'file' as const,
    mode,
    content: Buffer.from(content),
  });

  test('same trees have no differences, even written by another tool', () => {
    const ours = readTar(writeTar([dir('.'), dir('a'), file('a/x.yaml', 'x')]));
    const theirs = ours.map((e) => ({
      ...e,
      name: e.kind === 'directory' && e.name !== '.' ? `./${e.name}/` : e.name,
    }));
    expect(diffTarEntries(ours, theirs)).toEqual([]);
  });

  test('reports added, removed, mode, kind and content changes by name', () => {
    const local = readTar(
      writeTar([
        dir('.'),
        file('mode.yaml', 'm'),
        file('content.yaml', 'old'),
        file('kind', 'k'),
        file('gone', 'g'),
      ]),
    );
    const remote = readTar(
      writeTar([
        dir('.'),
        file('mode.yaml', 'm', 0o600),
        file('content.yaml', 'new'),
        dir('kind'),
        file('new', 'n'),
      ]),
    );
    expect(diffTarEntries(local, remote)).toEqual([
      { name: 'content.yaml', change: 'content' },
      { name: 'gone', change: 'only-local' },
      { name: 'kind', change: 'kind' },
      { name: 'mode.yaml', change: 'mode' },
      { name: 'new', change: 'only-remote' },
    ]);
  });
});

describe('headerByteSum and highByteCount', () => {
  /** The checksum's definition, a byte at a time. */
  function byteByByte(block: Uint8Array): { sum: number; high: number } {
    let sum = 0;
    let high = 0;
    for (let i = 0; i < 512; i++) {
      const byte = i >= 148 && i < 156 ? 0x20 : block[i]!;
      sum += byte;
      if (byte > 127) high++;
    }
    return { sum, high };
  }

  test('equals the byte-by-byte sums on all-zero, all-0xff and random blocks at any offset', () => {
    const random = createHash('sha512');
    const bytes = Buffer.concat(
      Array.from({ length: 64 }, (_, i) => random.copy().update(String(i)).digest()),
    );
    const blocks = [new Uint8Array(512), new Uint8Array(512).fill(0xff)];
    for (let offset = 0; offset < 8; offset++) blocks.push(bytes.subarray(offset, offset + 512));
    for (const block of blocks) {
      expect({ sum: headerByteSum(block), high: highByteCount(block) }).toEqual(byteByByte(block));
    }
  });
});
