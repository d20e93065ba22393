import { availableParallelism } from 'node:os';
import { promisify } from 'node:util';
import { constants, crc32, deflateRaw, gunzipSync } from 'node:zlib';
import { UserError } from '../../../errors.js';
import { holdYoungGenerationSize, processedBytes } from '../../../young-garbage.js';
import { GZIP_HEADER, isGzip } from './gzip-header.js';

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
  holdYoungGenerationSize();
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
    yield* nativeDeflate(counted());
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

/** Input of one native deflate job; a tree smaller than this is one job. */
const NATIVE_BLOCK_BYTES = 1024 * 1024;
/**
 * Jobs at once, one a core up to 2: on 2 cores a 50 MB build takes ~0.7 s instead of ~1.1 s;
 * each job costs ~5 MiB, so memory stays the same on a machine of any size.
 */
const NATIVE_JOBS = Math.min(2, availableParallelism());
/** deflate's window: each block is primed with the input's last 32 KiB before it. */
const WINDOW_BYTES = 32 * 1024;

const deflateRawAsync = promisify(deflateRaw);

/**
 * Node's zlib (level 6) over blocks of the input, several at once in the threadpool (as pigz
 * does): each block is primed with the 32 KiB before it and ends with a sync flush, the last
 * one finished, so the pieces join into one deflate stream that compresses as well as one
 * pass, and the main thread reads and hashes the next blocks meanwhile. A tree of one block
 * gives exactly `deflateRawSync`'s bytes.
 */
async function* nativeDeflate(pieces: Iterable<Uint8Array>): AsyncGenerator<Uint8Array> {
  // NATIVE_JOBS + 1 input blocks, reused: a block is free again once its job is done.
  const blocks = Array.from({ length: NATIVE_JOBS + 1 }, () =>
    Buffer.allocUnsafe(NATIVE_BLOCK_BYTES),
  );
  const jobs: Promise<Buffer>[] = [];
  let window: Buffer | undefined;
  let started = 0;
  let filled = 0;
  const start = (last: boolean): Promise<Buffer> => {
    const block = blocks[started++ % blocks.length]!.subarray(0, filled);
    const job = deflateRawAsync(block, {
      level: 6,
      memLevel: 8,
      strategy: constants.Z_DEFAULT_STRATEGY,
      ...(window ? { dictionary: window } : {}),
      finishFlush: last ? constants.Z_FINISH : constants.Z_SYNC_FLUSH,
      // A block's output in one piece: each piece costs the main thread a callback.
      chunkSize: NATIVE_BLOCK_BYTES + 64 * 1024,
    });
    // Awaited in order; one left behind by a consumer that stopped early must not become an
    // unhandled rejection.
    job.catch(() => undefined);
    window = Buffer.from(block.subarray(Math.max(0, block.length - WINDOW_BYTES)));
    filled = 0;
    return job;
  };
  for (const piece of pieces) {
    for (let at = 0; at < piece.length;) {
      const block = blocks[started % blocks.length]!;
      const take = Math.min(piece.length - at, block.length - filled);
      block.set(piece.subarray(at, at + take), filled);
      filled += take;
      at += take;
      if (filled < block.length) continue;
      jobs.push(start(false));
      if (jobs.length === NATIVE_JOBS) yield await jobs.shift()!;
    }
  }
  jobs.push(start(true));
  for (const job of jobs) yield await job;
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
  if (!isGzip(data)) {
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
