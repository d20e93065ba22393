import { createHash, type Hash } from 'node:crypto';
import { finished } from 'node:stream/promises';
import { createGunzip, type Gunzip } from 'node:zlib';
import { UserError } from '../../../errors.js';
import { isGzip } from './gzip-header.js';
import { COLLECT_EVERY_BYTES_PASSED_ON, processedBytes } from '../../../young-garbage.js';

/** Options for {@link GunzipDigest}. */
export interface GunzipDigestOptions {
  /**
   * The most bytes the decompressed stream may hold; more is refused as a likely
   * decompression bomb.
   * @default no limit: the bytes are only hashed, so memory stays at a few pieces and a bomb
   * costs time alone (deflate expands at most ~1032 times, so at most ~1032x the download)
   */
  readonly maxSize?: number;
  /** Names the blob in error messages. @default 'layer' */
  readonly what?: string;
  /**
   * Stop decompressing once the stream holds more than this many bytes: {@link
   * GunzipDigest.digest} then gives `undefined` (a tar compared with one of this size is
   * known to differ, however much more it holds).
   * @default never
   */
  readonly stopAfter?: number;
}

/**
 * Bytes decompressed at a time: a few are garbage between two collections (young-garbage.ts);
 * as small as a pull's, for the same reason (see layer-extraction.ts).
 */
const PIECE_BYTES = 64 * 1024;

/**
 * The sha256 of what a gzip stream decompresses to (a layer's diffID), taken as the
 * compressed pieces arrive (a download's sink: `begin`, `write`): nothing is kept, so memory
 * stays at a few pieces whatever the size. A bad stream is remembered, not thrown by
 * `write`, so the download still verifies its digest first (a corrupt download is reported
 * as such); {@link digest} throws it.
 */
export class GunzipDigest {
  private readonly maxSize: number;
  private readonly stopAfter: number;
  private readonly what: string;
  private gunzip: Gunzip | undefined;
  private hash!: Hash;
  private head = Buffer.alloc(0);
  private size = 0;
  private failure: unknown;
  private stopped = false;

  constructor(options: GunzipDigestOptions = {}) {
    this.maxSize = options.maxSize ?? Number.POSITIVE_INFINITY;
    this.stopAfter = options.stopAfter ?? Number.POSITIVE_INFINITY;
    this.what = options.what ?? 'layer';
    this.begin();
  }

  /** Starts over (a download's retry). */
  begin(): void {
    this.gunzip?.destroy();
    this.gunzip = undefined;
    this.hash = createHash('sha256');
    this.head = Buffer.alloc(0);
    this.size = 0;
    this.failure = undefined;
    this.stopped = false;
  }

  /** The next compressed bytes; resolves once they are decompressed and hashed. */
  async write(piece: Buffer): Promise<void> {
    if (this.failure !== undefined || this.stopped) return;
    if (this.head.length < 2) {
      this.head = Buffer.concat([this.head, piece.subarray(0, 2 - this.head.length)]);
      if (this.head.length === 2 && !isGzip(this.head)) return this.fail(this.notGzip());
    }
    const gunzip = (this.gunzip ??= this.startGunzip());
    // One piece in flight: the download waits while the threadpool decompresses it. A stream
    // destroyed meanwhile (bad data, a retry) may never call back, but it closes.
    await new Promise<void>((resolve) => {
      const done = (): void => {
        gunzip.off('close', done);
        resolve();
      };
      gunzip.on('close', done);
      gunzip.write(piece, done);
    });
  }

  /**
   * Ends the stream: `sha256:` of everything it decompressed to, `undefined` when it went
   * past `stopAfter`, or the first error.
   */
  async digest(): Promise<string | undefined> {
    if (this.stopped) return undefined;
    if (this.failure === undefined && this.head.length < 2) this.fail(this.notGzip());
    if (this.failure === undefined) {
      const gunzip = this.gunzip!;
      gunzip.end();
      // An error is already kept by the stream's handler.
      await finished(gunzip).catch(() => undefined);
    }
    if (this.failure !== undefined) throw this.failure;
    return `sha256:${this.hash.digest('hex')}`;
  }

  private startGunzip(): Gunzip {
    const gunzip = createGunzip({ chunkSize: PIECE_BYTES });
    // A gunzip left by a retry (begin) says nothing more.
    const current = (): boolean =>
      this.gunzip === gunzip && this.failure === undefined && !this.stopped;
    gunzip.on('data', (piece: Buffer) => {
      if (!current()) return;
      this.size += piece.length;
      if (this.size > this.maxSize) {
        this.fail(
          new UserError(
            `${this.what} decompresses to more than ${this.maxSize} bytes; refusing it as a possible decompression bomb (raise the limit if the content is trusted)`,
          ),
        );
        return;
      }
      if (this.size > this.stopAfter) {
        this.stopped = true;
        gunzip.destroy(); // the rest of the download is only checked against its digest
        return;
      }
      // Each piece is hashed and dropped at once (as a pull's): collected more often.
      processedBytes(piece.length, COLLECT_EVERY_BYTES_PASSED_ON);
      this.hash.update(piece);
    });
    gunzip.on('error', (err) => {
      if (current()) {
        this.fail(
          new UserError(
            `${this.what} is not valid gzip: ${err.message}; the artifact is damaged: push it again`,
          ),
        );
      }
    });
    return gunzip;
  }

  private fail(err: unknown): void {
    this.failure ??= err;
    this.gunzip?.destroy();
  }

  private notGzip(): UserError {
    return new UserError(
      `${this.what} is not gzip-compressed (it does not start with 1f 8b); it is not a Flux artifact's layer: push it with flux-oci or flux push artifact`,
    );
  }
}
