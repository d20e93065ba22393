import {
  closeSync,
  constants,
  createReadStream,
  lstatSync,
  mkdirSync,
  openSync,
  readSync,
  writeSync,
} from 'node:fs';
import { join, resolve } from 'node:path';
import { createGunzip } from 'node:zlib';
import { UserError } from '../../../errors.js';
import { escapeControl } from '../../../terminal-text.js';
import { DEFAULT_MAX_UNCOMPRESSED_SIZE, gunzip } from '../gzip/gzip.js';
import { readTar, type TarReadEntry } from './tar-reader.js';
import { TarStreamReader, type TarEntryHeader } from './tar-stream-reader.js';

/** Options for {@link extractLayer} and {@link readLayer}. */
export interface ExtractOptions {
  /**
   * The most bytes the layer may decompress to (the whole tar stream); larger layers are
   * refused before anything is written.
   * @default DEFAULT_MAX_UNCOMPRESSED_SIZE (100 MiB)
   */
  readonly maxSize?: number;
}

/** What an extraction wrote and what it left out. */
export interface ExtractResult {
  readonly files: number;
  readonly directories: number;
  /** Links, devices and other special entries, which are never created. */
  readonly skipped: readonly { readonly name: string; readonly kind: string }[];
}

/** Decompresses a gzip layer and reads its tar entries in memory (for `diff artifact`). */
export function readLayer(layer: Uint8Array, options: ExtractOptions = {}): TarReadEntry[] {
  return readTar(gunzip(layer, { maxSize: options.maxSize }));
}

/**
 * Extracts a pulled layer (gzip tar) into `target`, treating it as hostile: every name is
 * checked before anything is written (no absolute names, no `..`, no backslashes), links
 * and devices are skipped, existing symlinks inside the target are never followed, and the
 * decompressed size is capped. Files get their permission bits (no setuid/setgid/sticky),
 * directories their bits plus 0700. The caller verifies the layer digest first.
 */
export function extractLayer(
  layer: Uint8Array,
  target: string,
  options: ExtractOptions = {},
): ExtractResult {
  const root = resolve(target);
  const entries = readLayer(layer, options);
  const planned = entries.map((entry) => ({ entry, parts: fittingParts(entry.name, root) }));
  mkdirSync(root, { recursive: true });

  let files = 0;
  let directories = 0;
  const skipped: { name: string; kind: string }[] = [];
  for (const { entry, parts } of planned) {
    if (entry.kind === 'directory') {
      if (parts.length > 0) {
        ensureDirectory(root, parts, (entry.mode & 0o777) | 0o700);
        directories++;
      }
    } else if (entry.kind === 'file') {
      if (parts.length === 0)
        throw new UserError(`layer entry "${shownName(entry.name)}" is not a file name`);
      ensureDirectory(root, parts.slice(0, -1), 0o750);
      writeFileNoFollow(join(root, ...parts), entry.content, entry.mode & 0o777);
      files++;
    } else {
      skipped.push({ name: entry.name, kind: entry.kind });
    }
  }
  return { files, directories, skipped };
}

/**
 * {@link extractLayer} for a layer in a file (digest verified by the caller), streaming:
 * memory stays at a few pieces whatever the layer's size. A first pass reads every header
 * and checks every name before anything is written; the second pass writes. Same rules:
 * links and devices skipped, symlinks in the target never followed, size capped.
 */
export async function extractLayerFile(
  file: string,
  target: string,
  options: ExtractOptions = {},
): Promise<ExtractResult> {
  const root = resolve(target);
  const planned: { entry: TarEntryHeader; parts: string[] }[] = [];
  await readLayerFile(file, options, (entry) => {
    planned.push({ entry, parts: fittingParts(entry.name, root) });
  });
  mkdirSync(root, { recursive: true });

  let files = 0;
  let directories = 0;
  const skipped: { name: string; kind: string }[] = [];
  let index = 0;
  let fd: number | undefined;
  const closeFile = (): void => {
    if (fd !== undefined) closeSync(fd);
    fd = undefined;
  };
  try {
    await readLayerFile(
      file,
      options,
      () => {
        closeFile();
        const { entry, parts } = planned[index++]!;
        if (entry.kind === 'directory') {
          if (parts.length > 0) {
            ensureDirectory(root, parts, (entry.mode & 0o777) | 0o700);
            directories++;
          }
        } else if (entry.kind === 'file') {
          if (parts.length === 0)
            throw new UserError(`layer entry "${shownName(entry.name)}" is not a file name`);
          ensureDirectory(root, parts.slice(0, -1), 0o750);
          fd = openNoFollow(join(root, ...parts), entry.mode & 0o777);
          files++;
        } else {
          skipped.push({ name: entry.name, kind: entry.kind });
        }
      },
      (piece) => {
        if (fd === undefined) return;
        for (let written = 0; written < piece.length;) {
          written += writeSync(fd, piece, written);
        }
      },
    );
  } finally {
    closeFile();
  }
  return { files, directories, skipped };
}

/** Decompresses the gzip layer in `file` into a {@link TarStreamReader}, refusing more than maxSize. */
async function readLayerFile(
  file: string,
  options: ExtractOptions,
  onEntry: (entry: TarEntryHeader) => void,
  onContent: (piece: Uint8Array) => void = () => undefined,
): Promise<void> {
  const maxSize = options.maxSize ?? DEFAULT_MAX_UNCOMPRESSED_SIZE;
  const magic = Buffer.alloc(2);
  const fd = openSync(file, 'r');
  try {
    readSync(fd, magic, 0, 2, 0);
  } finally {
    closeSync(fd);
  }
  if (magic[0] !== 0x1f || magic[1] !== 0x8b) {
    throw new UserError('layer is not gzip-compressed (it does not start with 1f 8b)');
  }
  const reader = new TarStreamReader(onEntry, onContent);
  // Large pieces: each one costs a turn of the event loop, whatever its size.
  const gunzipped = createReadStream(file, { highWaterMark: PIECE_BYTES }).pipe(
    createGunzip({ chunkSize: PIECE_BYTES }),
  );
  let size = 0;
  try {
    for await (const piece of gunzipped as AsyncIterable<Buffer>) {
      size += piece.length;
      if (size > maxSize) {
        throw new UserError(
          `layer decompresses to more than ${maxSize} bytes; refusing it as a possible decompression bomb (raise the limit if the content is trusted)`,
        );
      }
      reader.write(piece);
    }
  } catch (err) {
    gunzipped.destroy();
    if (err instanceof UserError) throw err;
    throw new UserError(`layer is not valid gzip: ${(err as Error).message}`);
  }
  reader.end();
}

/**
 * The path components of an entry name, or a UserError naming the entry when the name could
 * reach outside the target. `.` components and empty ones (`a//b`, trailing `/`) are dropped.
 */
export function safeParts(name: string): string[] {
  const refuse = (why: string): never => {
    throw new UserError(
      `refusing layer entry "${shownName(name)}": ${why}; the artifact is not safe to extract`,
    );
  };
  if (name === '') refuse('empty name');
  if (name.includes('\\')) refuse('backslash in name');
  if (name.includes('\0')) refuse('NUL in name');
  if (name.startsWith('/')) refuse('absolute path');
  const parts = name.split('/').filter((part) => part !== '' && part !== '.');
  if (parts.includes('..')) refuse('".." in path');
  return parts;
}

/** Bytes read and decompressed at a time when extracting from a file. */
const PIECE_BYTES = 1024 * 1024;

/** Longest file name (one path component) Linux and macOS file systems take, in bytes. */
const MAX_NAME_BYTES = 255;
/** Longest path the kernel takes (PATH_MAX, with its terminating NUL). */
const MAX_PATH_BYTES = 4095;

/**
 * `safeParts`, and refused before anything is written when a part or the whole path under
 * `root` is longer than a file system takes (instead of a raw ENAMETOOLONG halfway).
 */
function fittingParts(name: string, root: string): string[] {
  const parts = safeParts(name);
  const long = parts.find((part) => Buffer.byteLength(part) > MAX_NAME_BYTES);
  const pathBytes = Buffer.byteLength(join(root, ...parts));
  if (long !== undefined || pathBytes > MAX_PATH_BYTES) {
    const why =
      long !== undefined
        ? `a name of ${Buffer.byteLength(long)} bytes, over the ${MAX_NAME_BYTES} a file name may have`
        : `a path of ${pathBytes} bytes under ${shownName(root)}, over the ${MAX_PATH_BYTES} the system takes`;
    throw new UserError(
      `refusing layer entry "${shownName(name)}": ${why}; the artifact cannot be extracted on this system (shorten the names in the artifact)`,
    );
  }
  return parts;
}

/** An entry name as a message shows it: control characters escaped, at most 120 characters. */
function shownName(name: string): string {
  const escaped = escapeControl(name);
  return escaped.length > 120 ? `${escaped.slice(0, 120)}…` : escaped;
}

/** Creates each missing directory under root; refuses to pass through anything but a real directory. */
function ensureDirectory(root: string, parts: readonly string[], mode: number): void {
  let current = root;
  for (let i = 0; i < parts.length; i++) {
    current = join(current, parts[i]!);
    const existing = lstatOrUndefined(current);
    if (existing === undefined) {
      mkdirSync(current, { mode: i === parts.length - 1 ? mode : 0o750 });
    } else if (!existing.isDirectory()) {
      throw new UserError(
        `refusing to extract below ${current}: it exists and is not a directory (a symlink is never followed)`,
      );
    }
  }
}

/** Opens a file for writing (truncated) without following a symlink that may sit at its path. */
function openNoFollow(path: string, mode: number): number {
  const existing = lstatOrUndefined(path);
  if (existing !== undefined && !existing.isFile()) {
    throw new UserError(`refusing to overwrite ${path}: it exists and is not a regular file`);
  }
  const flags = constants.O_WRONLY | constants.O_CREAT | constants.O_TRUNC | constants.O_NOFOLLOW;
  return openSync(path, flags, mode);
}

/** Writes a file without following a symlink that may already sit at its path. */
function writeFileNoFollow(path: string, content: Uint8Array, mode: number): void {
  const fd = openNoFollow(path, mode);
  try {
    let written = 0;
    while (written < content.length) written += writeSync(fd, content, written);
  } finally {
    closeSync(fd);
  }
}

function lstatOrUndefined(path: string): ReturnType<typeof lstatSync> {
  return lstatSync(path, { throwIfNoEntry: false });
}
