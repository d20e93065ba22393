import { crc32 } from 'node:zlib';
import { Deflate, deflateRaw } from 'pako';
import { optimiseFromNow } from '../../../optimising-compiler.js';
import { GZIP_HEADER } from './gzip-header.js';

/** pako's parameters, fixed so its output never changes (zlib's level 6 defaults). */
const PAKO_OPTIONS = { level: 6, memLevel: 8, strategy: 0 } as const;

/**
 * Compresses a tar stream into a layer blob. The deflate stream comes from the pinned
 * pure-JS pako with every parameter fixed, so the bytes (and the layer digest) are the same
 * on every machine and Node build; Node's bundled zlib may differ between builds. The
 * bytes are not Go's deflate output, but they decompress to the same tar (the diffID).
 */
export function gzip(data: Uint8Array): Uint8Array {
  optimiseFromNow(); // pure-JS deflate: hot JavaScript from the first byte
  const deflated = deflateRaw(data, PAKO_OPTIONS);
  const trailer = Buffer.alloc(8);
  trailer.writeUInt32LE(crc32(data), 0);
  trailer.writeUInt32LE(data.length % 2 ** 32, 4);
  return Buffer.concat([GZIP_HEADER, deflated, trailer]);
}

/**
 * The raw deflate stream `gzip()` holds, made from the pieces as they come: the same bytes
 * (zlib's output does not depend on how its input is cut), a few pieces in memory.
 */
export function* portableDeflate(pieces: Iterable<Uint8Array>): Generator<Uint8Array> {
  optimiseFromNow();
  let out: Uint8Array[] = [];
  const deflate = new Deflate({ ...PAKO_OPTIONS, raw: true });
  deflate.onData = (chunk: Uint8Array) => void out.push(chunk);
  for (const piece of pieces) {
    deflate.push(piece, false);
    yield* out;
    out = [];
  }
  deflate.push(new Uint8Array(), true);
  if (deflate.err) throw new Error(`deflate failed: ${deflate.msg}`);
  yield* out;
}
