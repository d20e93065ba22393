import { closeSync, openSync, readSync } from 'node:fs';
import { UserError } from '../../../errors.js';
import { headerByteSum } from './tar-reader.js';

/**
 * A tar writer whose bytes equal Go's `archive/tar` Writer for the headers fluxcd/pkg/tar
 * writes (uid/gid 0, no owner names, zero times, permission bits only), so the layer's
 * diffID matches Flux's for the same tree.
 */

/** One archive entry; directories carry no content. */
export interface TarEntry {
  /** Path relative to the archive root with `/` separators, no trailing slash; `.` is the root. */
  readonly name: string;
  readonly type: 'file' | 'directory';
  /** Permission bits plus setuid/setgid/sticky (`stat.mode & 0o7777`). */
  readonly mode: number;
  /** File content; ignored for directories. @default the content of `file`, else empty */
  readonly content?: Uint8Array;
  /**
   * A file to read the content from, in pieces, as the archive is written (so a large file
   * never sits in memory whole); it must still have `size` bytes then.
   * @default none: `content` is used
   */
  readonly file?: { readonly path: string; readonly size: number };
}

/** Files are read into the archive in pieces of this size. */
const READ_CHUNK = 1024 * 1024;

const BLOCK_SIZE = 512;
const NAME_SIZE = 100;
const PREFIX_SIZE = 155;
const TYPE_FILE = 0x30; // '0'
const TYPE_DIRECTORY = 0x35; // '5'
const TYPE_PAX = 0x78; // 'x'
/** The largest size an 11-digit octal field holds (8 GiB - 1). */
const MAX_OCTAL_SIZE = 0o77777777777;

/** Returns the complete archive: every entry, then the two zero blocks Go writes on Close. */
export function writeTar(entries: Iterable<TarEntry>): Uint8Array {
  return Buffer.concat([...tarChunks(entries)]);
}

/**
 * The archive {@link writeTar} returns, in pieces as they are made: headers, content (read
 * from `file` a piece at a time) and padding. Memory stays at one piece whatever the size.
 */
export function* tarChunks(entries: Iterable<TarEntry>): Generator<Uint8Array> {
  for (const entry of entries) yield* entryChunks(entry);
  yield new Uint8Array(2 * BLOCK_SIZE);
}

/** The header block(s) and padded content of one entry. */
function* entryChunks(entry: TarEntry): Generator<Uint8Array> {
  const isFile = entry.type === 'file';
  const size = !isFile ? 0 : entry.file ? entry.file.size : (entry.content?.length ?? 0);
  if (size > MAX_OCTAL_SIZE) {
    throw new RangeError(`tar entry ${entry.name} is larger than 8 GiB`);
  }
  const typeflag = isFile ? TYPE_FILE : TYPE_DIRECTORY;
  const split = isAscii(entry.name) ? splitUstarPath(entry.name) : undefined;
  const fitsUstar = isAscii(entry.name) && Buffer.byteLength(entry.name) <= NAME_SIZE;
  if (fitsUstar || split) {
    const header = mainHeader(split?.name ?? entry.name, entry.mode, size, typeflag);
    if (split) writeString(header, 345, PREFIX_SIZE, split.prefix);
    yield seal(header);
  } else {
    // Go falls back to PAX: an extended header carrying the real path, then a main header
    // whose name is the path with non-ASCII characters dropped, cut to 100 bytes.
    const records = Buffer.from(paxRecord('path', entry.name));
    yield seal(paxHeader(paxHeaderName(entry.name), records.length));
    yield* padded(records);
    yield seal(mainHeader(toAscii(entry.name), entry.mode, size, typeflag));
  }
  if (!isFile || size === 0) return;
  if (entry.file) yield* fileChunks(entry.name, entry.file.path, size);
  else yield entry.content!;
  const remainder = size % BLOCK_SIZE;
  if (remainder !== 0) yield new Uint8Array(BLOCK_SIZE - remainder);
}

/** Exactly `size` bytes of the file, a piece at a time; a file that changed size is refused. */
function* fileChunks(name: string, path: string, size: number): Generator<Uint8Array> {
  let fd: number;
  try {
    fd = openSync(path, 'r');
  } catch (err) {
    throw new UserError(`cannot read file ${path}: ${(err as Error).message}`);
  }
  try {
    let done = 0;
    while (done < size) {
      // A fresh buffer each time: the consumer may keep the piece (writeTar concatenates).
      const piece = Buffer.allocUnsafe(Math.min(READ_CHUNK, size - done));
      const read = readSync(fd, piece, 0, piece.length, done);
      if (read === 0) {
        throw new UserError(`file ${path} shrank while it was archived (as ${name}): try again`);
      }
      done += read;
      yield read === piece.length ? piece : piece.subarray(0, read);
    }
    if (readSync(fd, Buffer.alloc(1), 0, 1, size) !== 0) {
      throw new UserError(`file ${path} grew while it was archived (as ${name}): try again`);
    }
  } finally {
    closeSync(fd);
  }
}

/** The header fields Go's templateV7Plus fills for a regular USTAR/PAX entry. */
function mainHeader(name: string, mode: number, size: number, typeflag: number): Buffer {
  const header = Buffer.alloc(BLOCK_SIZE);
  header[156] = typeflag;
  writeString(header, 0, NAME_SIZE, name);
  writeOctal(header, 100, 8, mode);
  writeOctal(header, 108, 8, 0); // uid
  writeOctal(header, 116, 8, 0); // gid
  writeOctal(header, 124, 12, size);
  writeOctal(header, 136, 12, 0); // mtime: the zero time is written as the Unix epoch
  writeOctal(header, 329, 8, 0); // devmajor
  writeOctal(header, 337, 8, 0); // devminor
  return header;
}

/** Go's writeRawFile header for the PAX record file: no owner names or device numbers. */
function paxHeader(name: string, size: number): Buffer {
  const header = Buffer.alloc(BLOCK_SIZE);
  header[156] = TYPE_PAX;
  writeString(header, 0, NAME_SIZE, name);
  writeOctal(header, 100, 8, 0);
  writeOctal(header, 108, 8, 0);
  writeOctal(header, 116, 8, 0);
  writeOctal(header, 124, 12, size);
  writeOctal(header, 136, 12, 0);
  return header;
}

/** `dir/PaxHeaders.0/base`, ASCII only, at most 100 bytes, no trailing slash (Go's choice). */
function paxHeaderName(name: string): string {
  const slash = name.lastIndexOf('/');
  const dir = name.slice(0, slash + 1);
  const base = name.slice(slash + 1);
  let result = Buffer.from(toAscii(`${dir}PaxHeaders.0/${base}`));
  if (result.length > NAME_SIZE) result = result.subarray(0, NAME_SIZE);
  return result.toString('latin1').replace(/\/+$/, '');
}

/** Adds the USTAR magic and version, then the checksum (6 octal digits, NUL, space). */
function seal(header: Buffer): Buffer {
  header.write('ustar\0', 257, 'latin1');
  header.write('00', 263, 'latin1');
  writeOctal(header, 148, 7, headerByteSum(header));
  header[155] = 0x20;
  return header;
}

/**
 * Go's formatString: copies at most `size` bytes and NUL-terminates when there is room; a
 * truncated value whose last kept byte is `/` is cut before its trailing slashes.
 */
function writeString(header: Buffer, offset: number, size: number, value: string): void {
  const bytes = Buffer.from(value, 'utf8');
  bytes.copy(header, offset, 0, Math.min(size, bytes.length));
  if (bytes.length < size) header[offset + bytes.length] = 0;
  if (bytes.length > size && header[offset + size - 1] === 0x2f) {
    const kept = bytes
      .subarray(0, size - 1)
      .toString('latin1')
      .replace(/\/+$/, '');
    header[offset + kept.length] = 0;
  }
}

/** Go's formatOctal: zero-padded octal digits filling the field but its final NUL. */
function writeOctal(header: Buffer, offset: number, size: number, value: number): void {
  const digits = value.toString(8).padStart(size - 1, '0');
  if (digits.length >= size) return writeString(header, offset, size, digits);
  header.write(digits, offset, 'latin1'); // ASCII digits: no Buffer made for them
  header[offset + digits.length] = 0;
}

/** The content followed by zeros up to the next block boundary. */
function padded(content: Uint8Array): Uint8Array[] {
  if (content.length === 0) return [];
  const remainder = content.length % BLOCK_SIZE;
  return remainder === 0 ? [content] : [content, new Uint8Array(BLOCK_SIZE - remainder)];
}

/** `<length> <key>=<value>\n`, where length counts the whole record in bytes, itself included. */
function paxRecord(key: string, value: string): string {
  const body = ` ${key}=${value}\n`;
  const bodyLength = Buffer.byteLength(body);
  let length = bodyLength + String(bodyLength).length;
  if (String(length).length + bodyLength !== length) length = String(length).length + bodyLength;
  return `${length}${body}`;
}

/**
 * Go's splitUSTARPath: an ASCII name over 100 bytes splits at the last `/` within the
 * first 156 bytes into a prefix (≤155) and a name (≤100); otherwise it does not split.
 */
function splitUstarPath(name: string): { prefix: string; name: string } | undefined {
  let length = name.length;
  if (length <= NAME_SIZE || !isAscii(name)) return undefined;
  if (length > PREFIX_SIZE + 1) length = PREFIX_SIZE + 1;
  else if (name[length - 1] === '/') length--;
  const i = name.lastIndexOf('/', length - 1);
  const suffixLength = name.length - i - 1;
  if (i <= 0 || suffixLength > NAME_SIZE || suffixLength === 0 || i > PREFIX_SIZE) return undefined;
  return { prefix: name.slice(0, i), name: name.slice(i + 1) };
}

function isAscii(value: string): boolean {
  for (let i = 0; i < value.length; i++) {
    const code = value.charCodeAt(i);
    if (code === 0 || code >= 0x80) return false;
  }
  return true;
}

/** Go's toASCII: drops NUL and every non-ASCII character. */
function toAscii(value: string): string {
  let ascii = '';
  for (let i = 0; i < value.length; i++) {
    const code = value.charCodeAt(i);
    if (code !== 0 && code < 0x80) ascii += value[i];
  }
  return ascii;
}
