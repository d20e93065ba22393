import {
  accessSync,
  closeSync,
  constants,
  createReadStream,
  lstatSync,
  mkdirSync,
  readdirSync,
  renameSync,
  rmdirSync,
  rmSync,
  statfsSync,
  writeSync,
} from 'node:fs';
import { basename, dirname, join, resolve } from 'node:path';
import { createGunzip, type Gunzip } from 'node:zlib';
import { UserError } from '../../../errors.js';
import { COLLECT_EVERY_BYTES_PASSED_ON, processedBytes } from '../../../young-garbage.js';
import { DEFAULT_MAX_UNCOMPRESSED_SIZE } from '../gzip/gzip.js';
import { isGzip } from '../gzip/gzip-header.js';
import type { ExtractOptions, ExtractResult } from './extract.js';
import {
  ensureDirectory,
  fittingParts,
  lstatOrUndefined,
  createNoFollow,
  shownName,
} from './safe-writes.js';
import {
  cannotWriteInto,
  createStagingDirectory,
  removeStagingDirectory,
} from './staging-directory.js';
import { TarStreamReader, type TarEntryHeader } from './tar-stream-reader.js';

/**
 * Bytes decompressed at a time, and read at a time from a layer file: small enough that a few
 * are garbage between two collections (young-garbage.ts), large enough to cost few turns.
 * zlib hands out its pieces as views of one buffer of this size and starts the next only when
 * it is full: with many small files it fills slowly, lives through two collections and moves
 * to the old generation, where only a full collection frees it (a 20 000-file pull held 13
 * MiB of them at 256 KiB, 7 MiB at 64 KiB; a 50 MB pull the same either way).
 */
const PIECE_BYTES = 64 * 1024;

/**
 * Extracts a gzip layer as its bytes arrive (a download's sink: `begin`, `write`), once, into
 * a fresh staging directory from which renames reach the target: beside it, in its parent
 * (`.<name>.flux-oci-…`), else inside it (`.flux-oci-…`: a mount point, a parent it cannot
 * write); see staging-directory.ts. {@link commit} then moves the tree into the target by
 * renames. So a pull decompresses once, overlapped with the download, and
 * the target gets nothing before the caller has verified the bytes (digest and size) and every
 * entry was checked. The rules of `extractLayer` hold: hostile names refused, links and
 * devices skipped, no symlink followed, decompressed size capped. An error while extracting is
 * kept and thrown by {@link finish}; the bytes keep being taken meanwhile, so a caller that
 * verifies the digest first reports a corrupt download as such.
 */
export class LayerExtraction {
  private readonly root: string;
  private readonly staging: string;
  /** The first directory the constructor created for the target, removed again on failure. */
  private readonly created: string | undefined;
  private committed = false;
  private readonly maxSize: number;
  /** What the staging file system can take (see {@link stagingRoom}). */
  private readonly diskBytes: number;
  private gunzip: Gunzip | undefined;
  private reader!: TarStreamReader;
  private fd: number | undefined;
  private head = Buffer.alloc(0);
  private size = 0;
  private failure: unknown;
  private files = 0;
  private directories = 0;
  private skipped: { name: string; kind: string }[] = [];
  /**
   * Directories of the staging tree already made or checked (parts joined by `/`): a tree of
   * thousands of files checks each of its directories once, not once per file. Only this
   * extraction writes there, and never turns a directory into anything else.
   */
  private directoriesMade = new Set<string>();

  /**
   * Creates the target (when missing) and the staging directory; a target created here is
   * removed again when the extraction is discarded without commit.
   */
  constructor(target: string, options: ExtractOptions = {}) {
    this.root = resolve(target);
    this.maxSize = options.maxSize ?? DEFAULT_MAX_UNCOMPRESSED_SIZE;
    this.created = mkdirSync(this.root, { recursive: true });
    try {
      this.staging = createStagingDirectory(this.root);
    } catch (err) {
      this.removeCreated();
      throw err;
    }
    this.diskBytes = stagingRoom(this.staging);
    this.begin();
  }

  /** Starts over with an empty staging directory (a download's retry). */
  begin(): void {
    this.gunzip?.destroy();
    this.gunzip = undefined;
    this.closeFile();
    // Its contents only: the directory itself stays ours (no one can take its name meanwhile).
    for (const name of readdirSync(this.staging)) {
      rmSync(join(this.staging, name), { recursive: true, force: true });
    }
    this.reader = new TarStreamReader(
      (entry) => this.entry(entry),
      (piece) => this.content(piece),
    );
    this.head = Buffer.alloc(0);
    this.size = 0;
    this.failure = undefined;
    this.files = 0;
    this.directories = 0;
    this.skipped = [];
    this.directoriesMade = new Set();
  }

  /** The next bytes of the layer; resolves when they may be followed by more. */
  async write(piece: Buffer): Promise<void> {
    if (this.failure !== undefined) return;
    if (this.head.length < 2) {
      this.head = Buffer.concat([this.head, piece.subarray(0, 2 - this.head.length)]);
      if (this.head.length === 2 && !isGzip(this.head)) this.fail(notGzip());
      if (this.failure !== undefined) return;
    }
    const gunzip = (this.gunzip ??= this.startGunzip());
    if (!gunzip.write(piece)) await drainedOrClosed(gunzip);
  }

  /** Ends the layer: every entry is on disk in the staging directory, or the first error is thrown. */
  async finish(): Promise<ExtractResult> {
    if (this.failure === undefined && this.head.length < 2) this.fail(notGzip());
    if (this.failure === undefined) {
      const gunzip = this.gunzip!;
      gunzip.end();
      await endedOrClosed(gunzip);
    }
    this.closeFile();
    if (this.failure === undefined) {
      try {
        this.reader.end();
      } catch (err) {
        this.fail(err);
      }
    }
    if (this.failure !== undefined) throw this.failure;
    return { files: this.files, directories: this.directories, skipped: this.skipped };
  }

  /**
   * Moves the extracted tree into the target: an entry the target lacks in one rename, into a
   * directory it has entry by entry, a file over a file (replaced whole). What would pass
   * through or overwrite anything else (a symlink, a file where a directory goes), and a
   * directory of the target this process cannot write into, are refused before the first
   * move. A move can still fail halfway when the target changes meanwhile or holds a mount
   * point of its own: then the entries moved so far stay (one line names the path).
   */
  commit(): void {
    checkMove(this.staging, this.root);
    this.committed = true;
    moveInto(this.staging, this.root);
    this.discard();
  }

  /** Removes the staging directory and whatever it holds; the target is left as it is. */
  discard(): void {
    this.gunzip?.destroy();
    this.closeFile();
    removeStagingDirectory(this.staging);
    if (!this.committed) this.removeCreated();
  }

  /** Removes the directories the constructor created, from the target up, while empty. */
  private removeCreated(): void {
    if (this.created === undefined) return;
    for (let dir = this.root; ; dir = dirname(dir)) {
      try {
        rmdirSync(dir);
      } catch {
        return; // not empty (someone wrote there) or gone: leave it
      }
      if (dir === this.created) return;
    }
  }

  private startGunzip(): Gunzip {
    const gunzip = createGunzip({ chunkSize: PIECE_BYTES });
    // A gunzip left by a retry (begin) says nothing more to this extraction.
    const current = (): boolean => this.gunzip === gunzip && this.failure === undefined;
    gunzip.on('data', (piece: Buffer) => {
      if (!current()) return;
      try {
        this.size += piece.length;
        if (this.size > this.maxSize) {
          throw new UserError(
            `layer decompresses to more than ${this.maxSize} bytes; refusing it as a possible decompression bomb (raise the limit if the content is trusted)`,
          );
        }
        if (this.size > this.diskBytes) {
          throw new UserError(
            `layer decompresses to more than the ${this.diskBytes} bytes free on the file system of ${dirname(this.staging)} (keeping ${KEEP_FREE_PERCENT}%, at most 1 GiB, free for others); free some space or choose another --output`,
          );
        }
        processedBytes(piece.length, COLLECT_EVERY_BYTES_PASSED_ON);
        this.reader.write(piece);
      } catch (err) {
        this.fail(err);
      }
    });
    gunzip.on('error', (err) => {
      if (current()) this.fail(new UserError(`layer is not valid gzip: ${err.message}`));
    });
    return gunzip;
  }

  private entry(entry: TarEntryHeader): void {
    this.closeFile();
    const parts = fittingParts(entry.name, this.root, this.staging);
    if (parts[0] === basename(this.staging) && dirname(this.staging) === this.root) {
      throw new UserError(
        `refusing layer entry "${shownName(entry.name)}": it names the directory the pull stages into; try again`,
      );
    }
    if (entry.kind === 'file' && parts.length === 0) {
      throw new UserError(`layer entry "${shownName(entry.name)}" is not a file name`);
    }
    try {
      if (entry.kind === 'directory') {
        if (parts.length > 0) {
          this.ensureDirectory(parts, (entry.mode & 0o777) | 0o700);
          this.directories++;
        }
      } else if (entry.kind === 'file') {
        this.ensureDirectory(parts.slice(0, -1), 0o750);
        this.fd = createNoFollow(join(this.staging, ...parts), entry.mode & 0o777);
        this.files++;
      } else {
        this.skipped.push({ name: entry.name, kind: entry.kind });
      }
    } catch (err) {
      // The staging tree holds only this layer's entries: the clash is within the layer (the
      // message would name a staging path the user never sees).
      if (!(err instanceof UserError)) throw err;
      throw new UserError(
        `refusing layer entry "${shownName(entry.name)}": an earlier entry of the layer is a file where it needs a directory, or the reverse; the artifact cannot be extracted (push it again from a tree without the clash)`,
      );
    }
  }

  /** `ensureDirectory` in the staging tree, once a directory. */
  private ensureDirectory(parts: readonly string[], mode: number): void {
    const key = parts.join('/');
    if (this.directoriesMade.has(key)) return;
    ensureDirectory(this.staging, parts, mode);
    for (let i = 1; i <= parts.length; i++) this.directoriesMade.add(parts.slice(0, i).join('/'));
  }

  private content(piece: Uint8Array): void {
    if (this.fd === undefined) return;
    for (let written = 0; written < piece.length;) {
      written += writeSync(this.fd, piece, written);
    }
  }

  private fail(err: unknown): void {
    this.failure ??= err;
    this.closeFile();
    this.gunzip?.destroy();
  }

  private closeFile(): void {
    if (this.fd !== undefined) closeSync(this.fd);
    this.fd = undefined;
  }
}

/**
 * Extracts a layer in a file (digest verified by the caller) into `target`, streamed (memory
 * stays at a few pieces whatever its size) and staged (see {@link LayerExtraction}, which
 * may create a staging directory beside `target`, in its parent): the target gets nothing
 * unless every entry was good and its directories take the moves.
 */
export async function extractLayerFile(
  file: string,
  target: string,
  options: ExtractOptions = {},
): Promise<ExtractResult> {
  const extraction = new LayerExtraction(target, options);
  try {
    for await (const piece of createReadStream(file, { highWaterMark: PIECE_BYTES })) {
      await extraction.write(piece as Buffer);
    }
    const result = await extraction.finish();
    extraction.commit();
    return result;
  } finally {
    extraction.discard();
  }
}

/**
 * Refuses, before anything moves, an entry that would replace or pass through a
 * non-directory, and a directory of the target a rename would write into but this process
 * cannot write (so a permission problem does not stop the move halfway).
 */
function checkMove(from: string, to: string): void {
  let writesInto = false;
  for (const entry of readdirSync(from, { withFileTypes: true })) {
    const target = join(to, entry.name);
    const existing = lstatOrUndefined(target);
    if (existing === undefined) {
      writesInto = true;
      continue;
    }
    if (entry.isDirectory()) {
      if (!existing.isDirectory()) {
        throw new UserError(
          `refusing to extract below ${target}: it exists and is not a directory (a symlink is never followed)`,
        );
      }
      checkMove(join(from, entry.name), target);
    } else if (!existing.isFile()) {
      throw new UserError(`refusing to overwrite ${target}: it exists and is not a regular file`);
    } else {
      writesInto = true;
    }
  }
  if (writesInto) checkWritable(to);
}

function checkWritable(dir: string): void {
  try {
    accessSync(dir, constants.W_OK | constants.X_OK);
  } catch (err) {
    throw cannotWriteInto(dir, (err as NodeJS.ErrnoException).code);
  }
}

/** Renames each entry of `from` into `to`, merging into directories `to` already has. */
function moveInto(from: string, to: string): void {
  for (const entry of readdirSync(from, { withFileTypes: true })) {
    const source = join(from, entry.name);
    const target = join(to, entry.name);
    if (entry.isDirectory() && lstatSync(target, { throwIfNoEntry: false })?.isDirectory()) {
      moveInto(source, target);
    } else {
      try {
        renameSync(source, target);
      } catch (err) {
        throw moveError(err, target);
      }
    }
  }
}

/** Share of the staging file system a pull leaves free (capped at 1 GiB), as a reserve for others. */
const KEEP_FREE_PERCENT = 5;

/**
 * Bytes a layer may decompress to in `staging`: the space free for this user when the pull
 * starts, less a reserve. The bytes are extracted before their digest is verified (as
 * `flux pull artifact` untars them), so a tampered or oversized layer is refused in one line
 * before it fills the disk for every other process, instead of a raw ENOSPC after.
 */
function stagingRoom(staging: string): number {
  try {
    const fs = statfsSync(staging);
    const reserve = Math.min((fs.blocks * fs.bsize * KEEP_FREE_PERCENT) / 100, 1024 ** 3);
    return Math.max(0, Math.floor(fs.bavail * fs.bsize - reserve));
  } catch {
    return Number.POSITIVE_INFINITY; // no statfs here: the size limit alone
  }
}

/** One line for a rename refused during the move: the path and what to do, not Node's message. */
function moveError(err: unknown, target: string): UserError {
  const code = String((err as NodeJS.ErrnoException).code ?? 'unknown error');
  if (code === 'EACCES' || code === 'EPERM' || code === 'EROFS') {
    return cannotWriteInto(dirname(target), code);
  }
  if (code === 'EXDEV') {
    return new UserError(
      `cannot move pulled content to ${target}: it is on another mount point (EXDEV); pull into a directory with no mount point below it`,
    );
  }
  return new UserError(
    `cannot move pulled content to ${target} (${code}): check --output and pull again`,
  );
}

function notGzip(): UserError {
  return new UserError('layer is not gzip-compressed (it does not start with 1f 8b)');
}

/** Resolves when the stream takes more input, or is closed (an error is kept by its handler). */
function drainedOrClosed(stream: Gunzip): Promise<void> {
  return new Promise((resolve) => {
    if (stream.destroyed) return resolve();
    const done = (): void => {
      stream.off('drain', done);
      stream.off('close', done);
      resolve();
    };
    stream.on('drain', done);
    stream.on('close', done);
  });
}

/** Resolves when the stream has given all its output, or is closed. */
function endedOrClosed(stream: Gunzip): Promise<void> {
  return new Promise((resolve) => {
    if (stream.destroyed) return resolve();
    const done = (): void => {
      stream.off('end', done);
      stream.off('close', done);
      resolve();
    };
    stream.on('end', done);
    stream.on('close', done);
  });
}
