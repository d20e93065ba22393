import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { gunzipSync, gzipSync } from 'node:zlib';
import { UserError } from '../../../src/errors.js';
import { gunzip } from '../../../src/oci/content/gzip/gzip.js';
import { gzip } from '../../../src/oci/content/gzip/portable-gzip.js';

describe('gzip', () => {
  const data = Buffer.from('apiVersion: v1\nkind: ConfigMap\n'.repeat(200));

  test('Go-style header: no name, mtime 0, XFL 0, OS 255', () => {
    const bytes = gzip(data);
    expect(Buffer.from(bytes.subarray(0, 10)).toString('hex')).toBe('1f8b08000000000000ff');
  });

  test('trailer holds CRC32 and length, little-endian', () => {
    const bytes = Buffer.from(gzip(data));
    const reference = gzipSync(data); // zlib writes the same trailer
    expect(bytes.subarray(-8).equals(reference.subarray(-8))).toBe(true);
    expect(bytes.readUInt32LE(bytes.length - 4)).toBe(data.length);
  });

  test('zlib and the system gzip decompress it to the input', () => {
    const bytes = gzip(data);
    expect(gunzipSync(bytes).equals(data)).toBe(true);
    expect(execFileSync('gzip', ['-dc'], { input: bytes }).equals(data)).toBe(true);
  });

  test('the deflate bytes are pinned (pako 3.0.3, level 6): same on every machine', () => {
    // Varied text over several deflate blocks, so dynamic Huffman trees and matching matter.
    let text = '';
    for (let i = 0; i < 20_000; i++)
      text += `line ${i} ${(i * 2654435761) % 1000003} ${'abcdefgh'.slice(i % 8)}\n`;
    const bytes = gzip(Buffer.from(text));
    expect(createHash('sha256').update(bytes).digest('hex')).toBe(
      '88f74a7460b8bc9b1e80fbce5a3dd463b55a8f170fd80709747cb213eef8455a',
    );
  });

  test('empty input', () => {
    expect(gunzipSync(gzip(new Uint8Array())).length).toBe(0);
  });
});

describe('gunzip', () => {
  test('round trip', () => {
    const data = Buffer.from('x'.repeat(1000));
    expect(Buffer.from(gunzip(gzip(data))).equals(data)).toBe(true);
  });

  test('refuses output beyond the limit (a decompression bomb)', () => {
    const bomb = gzipSync(new Uint8Array(10 * 1024 * 1024), { level: 9 }); // ~10 KiB compressed
    expect(bomb.length).toBeLessThan(20_000);
    expect(() => gunzip(bomb, { maxSize: 1024 * 1024 })).toThrow(UserError);
    expect(() => gunzip(bomb, { maxSize: 1024 * 1024 })).toThrow(/more than 1048576 bytes/);
    expect(gunzip(bomb, { maxSize: 10 * 1024 * 1024 }).length).toBe(10 * 1024 * 1024);
  });

  test('refuses data that is not gzip, or corrupt', () => {
    expect(() => gunzip(Buffer.from('plain text'))).toThrow('layer is not gzip-compressed');
    const corrupt = Buffer.from(gzip(Buffer.from('x'.repeat(100))));
    corrupt[corrupt.length - 5]! ^= 0xff;
    expect(() => gunzip(corrupt)).toThrow(UserError);
  });
});
