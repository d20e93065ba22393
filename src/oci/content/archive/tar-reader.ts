import { UserError } from '../../../errors.js';

/** The kinds of tar entries; everything but files and directories is skipped on extraction. */
export type TarEntryKind =
  | 'file'
  | 'directory'
  | 'symlink'
  | 'hardlink'
  | 'character-device'
  | 'block-device'
  | 'fifo'
  | 'other';

/** One entry read from an archive, with PAX and GNU long names already applied. */
export interface TarReadEntry {
  /** The name as stored (may be hostile: absolute, `..`, backslashes); validate before use. */
  readonly name: string;
  readonly kind: TarEntryKind;
  readonly mode: number;
  /** Content length; 0 for header-only kinds. */
  readonly size: number;
  /** Link target for symlinks and hard links, else ''. */
  readonly linkname: string;
  /** File content (a view into the archive); empty for other kinds. */
  readonly content: Uint8Array;
}

const BLOCK_SIZE = 512;
const decoder = new TextDecoder();

/**
 * Reads every entry of an uncompressed tar held in memory (USTAR, PAX and GNU forms).
 * Malformed archives (bad checksum, truncated data) are refused with a UserError.
 */
export function readTar(tar: Uint8Array): TarReadEntry[] {
  const entries: TarReadEntry[] = [];
  let offset = 0;
  let pax: Record<string, string> = {};
  let longName: string | undefined;
  let longLink: string | undefined;
  while (offset + BLOCK_SIZE <= tar.length) {
    const header = tar.subarray(offset, offset + BLOCK_SIZE);
    if (header.every((byte) => byte === 0)) break; // end-of-archive marker
    if (!checksumMatches(header)) {
      throw new UserError(`invalid tar archive: bad header checksum at offset ${offset}`);
    }
    const typeflag = String.fromCharCode(header[156]!);
    const size = parseNumber(header.subarray(124, 136), offset);
    const dataSize = isHeaderOnly(typeflag) ? 0 : Number(pax['size'] ?? size);
    const dataStart = offset + BLOCK_SIZE;
    if (!Number.isSafeInteger(dataSize) || dataSize < 0 || dataStart + dataSize > tar.length) {
      throw new UserError(`invalid tar archive: entry at offset ${offset} runs past the end`);
    }
    const data = tar.subarray(dataStart, dataStart + dataSize);
    offset = dataStart + Math.ceil(dataSize / BLOCK_SIZE) * BLOCK_SIZE;

    if (typeflag === 'x') {
      pax = { ...pax, ...parsePaxRecords(data, dataStart) };
      continue;
    }
    if (typeflag === 'g') continue; // global PAX defaults: nothing we use
    if (typeflag === 'L') {
      longName = cString(data);
      continue;
    }
    if (typeflag === 'K') {
      longLink = cString(data);
      continue;
    }

    const name = pax['path'] ?? longName ?? headerName(header);
    const linkname = pax['linkpath'] ?? longLink ?? cString(header.subarray(157, 257));
    const kind = kindOf(typeflag, name);
    entries.push({
      name,
      kind,
      mode: parseNumber(header.subarray(100, 108), offset),
      size: dataSize,
      linkname,
      content: kind === 'file' ? data : new Uint8Array(),
    });
    pax = {};
    longName = undefined;
    longLink = undefined;
  }
  return entries;
}

/** The name field, joined with the USTAR prefix when the magic says USTAR/PAX. */
export function headerName(header: Uint8Array): string {
  const name = cString(header.subarray(0, 100));
  const magic = decoder.decode(header.subarray(257, 263));
  if (magic !== 'ustar\0') return name;
  const prefix = cString(header.subarray(345, 500));
  return prefix === '' ? name : `${prefix}/${name}`;
}

export function kindOf(typeflag: string, name: string): TarEntryKind {
  switch (typeflag) {
    case '0':
    case '7':
      return 'file';
    case '\0':
      return name.endsWith('/') ? 'directory' : 'file';
    case '5':
      return 'directory';
    case '1':
      return 'hardlink';
    case '2':
      return 'symlink';
    case '3':
      return 'character-device';
    case '4':
      return 'block-device';
    case '6':
      return 'fifo';
    default:
      return 'other';
  }
}

/** Types whose size field does not announce content (Go's isHeaderOnlyType). */
export function isHeaderOnly(typeflag: string): boolean {
  return '123456'.includes(typeflag);
}

/** POSIX sums unsigned bytes, old Sun tar signed ones; both are accepted, as Go does. */
export function checksumMatches(header: Uint8Array): boolean {
  const stored = parseOctal(header.subarray(148, 156));
  const sum = headerByteSum(header);
  // The signed sum only when the unsigned one is not it (old archives, rare).
  return stored === sum || stored === sum - 256 * highByteCount(header);
}

/** An aligned copy of the block being summed, read four bytes at a time. */
const words = new Uint32Array(BLOCK_SIZE / 4);
const wordBytes = new Uint8Array(words.buffer);

/** Copies a header block into {@link words}, its checksum field as 8 spaces. */
function loadWords(header: Uint8Array): void {
  wordBytes.set(header.subarray(0, BLOCK_SIZE));
  wordBytes.fill(0x20, 148, 156);
}

/**
 * The sum of a header block's bytes with its checksum field read as 8 spaces (how the
 * checksum is made). Four bytes a step, in two 16-bit lanes (at most 128 x 2 x 255 each: no
 * carry between them): a tree of thousands of entries sums millions of bytes, and the CLI
 * runs this unoptimised (src/optimising-compiler.ts).
 */
export function headerByteSum(header: Uint8Array): number {
  loadWords(header);
  let pairs = 0;
  for (let i = 0; i < words.length; i++) {
    const word = words[i]!;
    pairs += (word & 0x00ff00ff) + ((word >>> 8) & 0x00ff00ff);
  }
  return (pairs & 0xffff) + (pairs >>> 16);
}

/** How many bytes of a header block (checksum field as spaces) have the high bit set. */
export function highByteCount(header: Uint8Array): number {
  loadWords(header);
  let highs = 0; // four 8-bit lanes, at most 128 each
  for (let i = 0; i < words.length; i++) highs += (words[i]! >>> 7) & 0x01010101;
  return (highs & 0xff) + ((highs >>> 8) & 0xff) + ((highs >>> 16) & 0xff) + (highs >>> 24);
}

/** Octal, or GNU base-256 when the high bit of the first byte is set. */
export function parseNumber(field: Uint8Array, offset: number): number {
  if (field[0]! & 0x80) {
    let value = field[0]! & 0x7f;
    for (const byte of field.subarray(1)) value = value * 256 + byte;
    if (!Number.isSafeInteger(value)) {
      throw new UserError(`invalid tar archive: number too large at offset ${offset}`);
    }
    return value;
  }
  const value = parseOctal(field);
  if (Number.isNaN(value)) {
    throw new UserError(`invalid tar archive: bad numeric field at offset ${offset}`);
  }
  return value;
}

function parseOctal(field: Uint8Array): number {
  const text = decoder
    .decode(field)
    .replace(/[\0 ]+$/, '')
    .replace(/^[\0 ]+/, '');
  if (text === '') return 0;
  return /^[0-7]+$/.test(text) ? parseInt(text, 8) : NaN;
}

/** `<length> <key>=<value>\n` records. */
export function parsePaxRecords(data: Uint8Array, offset: number): Record<string, string> {
  const records: Record<string, string> = {};
  let position = 0;
  while (position < data.length) {
    const space = data.indexOf(0x20, position);
    const length = space < 0 ? NaN : Number(decoder.decode(data.subarray(position, space)));
    if (!Number.isInteger(length) || length <= 0 || position + length > data.length) {
      throw new UserError(`invalid tar archive: bad PAX record at offset ${offset + position}`);
    }
    const record = decoder.decode(data.subarray(space + 1, position + length - 1));
    const equals = record.indexOf('=');
    if (equals > 0) records[record.slice(0, equals)] = record.slice(equals + 1);
    position += length;
  }
  return records;
}

export function cString(field: Uint8Array): string {
  const end = field.indexOf(0);
  return decoder.decode(end < 0 ? field : field.subarray(0, end));
}
