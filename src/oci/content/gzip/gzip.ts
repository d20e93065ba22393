import { Readable } from 'node:stream';
import { constants, crc32, createDeflateRaw, gunzipSync } from 'node:zlib';
import { UserError } from '../../../errors.js';
import { processedBytes } from '../../../young-garbage.js';
import { GZIP_HEADER } from './gzip-header.js';

/**
 * Which deflate makes a layer:
 * - `portable`: the pinned pure-JS pako 3.0.3, the same bytes on every machine and Node
 *   build (the components artifact, `--reproducible` pushes: digests others recompute);
 * - `native`: Node's zlib, about 2.5x faster, but its bytes may differ between Node builds
 *   (a push whose layer digest nobody predicts; Flux's own Go gzip differs from both).
 * Both decompress to the same tar, so the diffID is the same.
 */
export type Compressor = 'portable' | 'native';

/**
 * The gzip stream of `tar`'s pieces as they come: the same header and trailer as `gzip()`
 * (portable-gzip.ts), the deflate stream of `compressor`; `portable` gives exactly `gzip()`'s
 * bytes. Memory stays at a few pieces whatever the size.
 */
export async function* gzipChunks(
  tar: Iterable<Uint8Array>,
  compressor: Compressor,
): AsyncGenerator<Uint8Array> {
  yield GZIP_HEADER;
  let crc = 0;
  let length = 0;
  function* counted(): Generator<Uint8Array> {
    for (const chunk of tar) {
      crc = crc32(chunk, crc);
      length += chunk.length;
      processedBytes(chunk.length);
      yield chunk;
    }
  }
  if (compressor === 'native') {
    const deflate = createDeflateRaw({
      level: 6,
      memLevel: 8,
      strategy: constants.Z_DEFAULT_STRATEGY,
    });
    const input = Readable.from(counted(), { objectMode: false });
    input.on('error', (err) => deflate.destroy(err));
    input.pipe(deflate);
    for await (const chunk of deflate as AsyncIterable<Buffer>) yield chunk;
  } else {
    // Loaded only on this path: a native push never loads pako.
    const { portableDeflate } = await import('./portable-gzip.js');
    yield* portableDeflate(counted());
  }
  const trailer = Buffer.alloc(8);
  trailer.writeUInt32LE(crc >>> 0, 0);
  trailer.writeUInt32LE(length % 2 ** 32, 4);
  yield trailer;
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
