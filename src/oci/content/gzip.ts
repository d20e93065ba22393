import { crc32, gunzipSync } from 'node:zlib';
import { deflateRaw } from 'pako';
import { UserError } from '../../errors.js';

/**
 * Go's `compress/gzip` header: magic, deflate, no flags, mtime 0, XFL 0 (default level),
 * OS 255 (unknown). Flux writes exactly these ten bytes.
 */
const GZIP_HEADER = Uint8Array.of(0x1f, 0x8b, 0x08, 0x00, 0, 0, 0, 0, 0x00, 0xff);

/**
 * Compresses a tar stream into a layer blob. The deflate stream comes from the pinned
 * pure-JS pako with every parameter fixed, so the bytes (and the layer digest) are the same
 * on every machine and Node build; Node's bundled zlib may differ between builds. The
 * bytes are not Go's deflate output, but they decompress to the same tar (the diffID).
 */
export function gzip(data: Uint8Array): Uint8Array {
  const deflated = deflateRaw(data, { level: 6, memLevel: 8, strategy: 0 });
  const trailer = Buffer.alloc(8);
  trailer.writeUInt32LE(crc32(data), 0);
  trailer.writeUInt32LE(data.length % 2 ** 32, 4);
  return Buffer.concat([GZIP_HEADER, deflated, trailer]);
}

/** Options for {@link gunzip}. */
export interface GunzipOptions {
  /**
   * The most bytes the decompressed stream may hold; more is refused as a likely
   * decompression bomb.
   * @default DEFAULT_MAX_UNCOMPRESSED_SIZE
   */
  readonly maxSize?: number;
  /** Names the blob in error messages. @default 'layer' */
  readonly what?: string;
}

/** 100 MiB, the limit fluxcd/pkg/tar's Untar applies by default. */
export const DEFAULT_MAX_UNCOMPRESSED_SIZE = 100 * 1024 * 1024;

/** Decompresses a gzip blob (all members), refusing output beyond `maxSize`. */
export function gunzip(data: Uint8Array, options: GunzipOptions = {}): Uint8Array {
  const maxSize = options.maxSize ?? DEFAULT_MAX_UNCOMPRESSED_SIZE;
  const what = options.what ?? 'layer';
  if (data.length < 2 || data[0] !== 0x1f || data[1] !== 0x8b) {
    throw new UserError(`${what} is not gzip-compressed (it does not start with 1f 8b)`);
  }
  try {
    return gunzipSync(data, { maxOutputLength: maxSize });
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    if (code === 'ERR_BUFFER_TOO_LARGE' || err instanceof RangeError) {
      throw new UserError(
        `${what} decompresses to more than ${maxSize} bytes; refusing it as a possible decompression bomb (raise the limit if the content is trusted)`,
      );
    }
    throw new UserError(`${what} is not valid gzip: ${(err as Error).message}`);
  }
}
