import { UserError } from '../../../errors.js';
import {
  checksumMatches,
  cString,
  headerName,
  isHeaderOnly,
  kindOf,
  parseNumber,
  parsePaxRecords,
  type TarReadEntry,
} from './tar-reader.js';

/** An entry's header as {@link TarStreamReader} announces it; its content follows in pieces. */
export type TarEntryHeader = Omit<TarReadEntry, 'content'>;

const BLOCK_SIZE = 512;
/** PAX records and GNU long names are held whole; more than this is not a name. */
const MAX_METADATA_BYTES = 1024 * 1024;

/**
 * Reads a tar as it arrives, in pieces of any size, with the rules of `readTar` (USTAR,
 * PAX and GNU names, checksums checked, truncation refused): `onEntry` gets each entry's
 * header, then `onContent` its file content in pieces (views into the input). Memory stays
 * at one header block plus PAX records, whatever the archive's size.
 */
export class TarStreamReader {
  private offset = 0;
  private pending: Uint8Array = new Uint8Array(0);
  /** Content bytes of the current entry still to come, then its padding. */
  private contentLeft = 0;
  private paddingLeft = 0;
  private metadata: { type: string; chunks: Uint8Array[]; at: number } | undefined;
  private pax: Record<string, string> = {};
  private longName: string | undefined;
  private longLink: string | undefined;
  private ended = false;

  constructor(
    private readonly onEntry: (entry: TarEntryHeader) => void,
    private readonly onContent: (piece: Uint8Array) => void,
  ) {}

  /** Feeds the next piece of the archive. */
  write(piece: Uint8Array): void {
    let data = piece;
    while (data.length > 0 && !this.ended) {
      if (this.contentLeft > 0) {
        const take = Math.min(this.contentLeft, data.length);
        this.content(data.subarray(0, take));
        this.contentLeft -= take;
        this.offset += take;
        data = data.subarray(take);
        if (this.contentLeft === 0) this.contentDone();
        continue;
      }
      if (this.paddingLeft > 0) {
        const take = Math.min(this.paddingLeft, data.length);
        this.paddingLeft -= take;
        this.offset += take;
        data = data.subarray(take);
        continue;
      }
      const need = BLOCK_SIZE - this.pending.length;
      if (data.length < need) {
        this.pending = concat(this.pending, data);
        return;
      }
      const header = concat(this.pending, data.subarray(0, need));
      this.pending = new Uint8Array(0);
      data = data.subarray(need);
      this.header(header);
    }
  }

  /** The archive is complete: refused when an entry was cut short. */
  end(): void {
    if (this.ended) return;
    // As readTar: a missing end marker or padding is tolerated, missing content is not.
    if (this.contentLeft > 0) {
      throw new UserError(`invalid tar archive: entry at offset ${this.offset} runs past the end`);
    }
  }

  private header(header: Uint8Array): void {
    const at = this.offset;
    this.offset += BLOCK_SIZE;
    if (header.every((byte) => byte === 0)) {
      this.ended = true; // end-of-archive marker
      return;
    }
    if (!checksumMatches(header)) {
      throw new UserError(`invalid tar archive: bad header checksum at offset ${at}`);
    }
    const typeflag = String.fromCharCode(header[156]!);
    const size = parseNumber(header.subarray(124, 136), at);
    const dataSize = isHeaderOnly(typeflag) ? 0 : Number(this.pax['size'] ?? size);
    if (!Number.isSafeInteger(dataSize) || dataSize < 0) {
      throw new UserError(`invalid tar archive: entry at offset ${at} runs past the end`);
    }
    this.contentLeft = dataSize;
    this.paddingLeft = Math.ceil(dataSize / BLOCK_SIZE) * BLOCK_SIZE - dataSize;
    if ('xgLK'.includes(typeflag)) {
      if (dataSize > MAX_METADATA_BYTES) {
        throw new UserError(
          `invalid tar archive: a ${dataSize}-byte name or PAX header at offset ${at}`,
        );
      }
      this.metadata = { type: typeflag, chunks: [], at: at + BLOCK_SIZE };
      if (dataSize === 0) this.contentDone();
      return;
    }
    const name = this.pax['path'] ?? this.longName ?? headerName(header);
    const linkname = this.pax['linkpath'] ?? this.longLink ?? cString(header.subarray(157, 257));
    const kind = kindOf(typeflag, name);
    this.pax = {};
    this.longName = undefined;
    this.longLink = undefined;
    this.onEntry({
      name,
      kind,
      mode: parseNumber(header.subarray(100, 108), at),
      size: dataSize,
      linkname,
    });
  }

  private content(piece: Uint8Array): void {
    if (this.metadata) this.metadata.chunks.push(piece);
    else this.onContent(piece);
  }

  private contentDone(): void {
    const metadata = this.metadata;
    if (!metadata) return;
    this.metadata = undefined;
    const data = Buffer.concat(metadata.chunks);
    if (metadata.type === 'x') this.pax = { ...this.pax, ...parsePaxRecords(data, metadata.at) };
    else if (metadata.type === 'L') this.longName = cString(data);
    else if (metadata.type === 'K') this.longLink = cString(data);
    // 'g': global PAX defaults, nothing we use.
  }
}

/** A copy: a view would keep the whole piece it came from alive (Buffer#slice is a view). */
function concat(a: Uint8Array, b: Uint8Array): Uint8Array {
  if (a.length === 0) return Uint8Array.prototype.slice.call(b);
  return Buffer.concat([a, b]);
}
