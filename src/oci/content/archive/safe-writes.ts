import {
  closeSync,
  constants,
  fstatSync,
  ftruncateSync,
  lstatSync,
  mkdirSync,
  openSync,
  writeSync,
} from 'node:fs';
import { join } from 'node:path';
import { UserError } from '../../../errors.js';
import { escapeControl } from '../../../terminal-text.js';

// How a layer's entries are written under a target: names that cannot leave it, paths the
// file system takes, no symlink ever followed.

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

/** Longest file name (one path component) Linux and macOS file systems take, in bytes. */
const MAX_NAME_BYTES = 255;
/** Longest path the kernel takes (PATH_MAX, with its terminating NUL). */
const MAX_PATH_BYTES = 4095;

/**
 * `safeParts`, and refused before anything is written when a part or the whole path under
 * `root` (or under `writtenUnder`, where it is written first) is longer than a file system
 * takes (instead of a raw ENAMETOOLONG halfway).
 */
export function fittingParts(name: string, root: string, writtenUnder = root): string[] {
  const parts = safeParts(name);
  // Byte lengths added up rather than paths joined: this runs for every entry of a layer.
  let partsBytes = 0;
  let long: string | undefined;
  for (const part of parts) {
    const bytes = Buffer.byteLength(part);
    if (bytes > MAX_NAME_BYTES) long ??= part;
    partsBytes += 1 + bytes; // with the `/` before it
  }
  const under = [root, writtenUnder].find(
    (dir) =>
      Buffer.byteLength(dir.endsWith('/') ? dir.slice(0, -1) : dir) + partsBytes > MAX_PATH_BYTES,
  );
  if (long !== undefined || under !== undefined) {
    const why =
      long !== undefined
        ? `a name of ${Buffer.byteLength(long)} bytes, over the ${MAX_NAME_BYTES} a file name may have`
        : `a path of ${Buffer.byteLength(join(under!, ...parts))} bytes under ${shownName(under!)}, over the ${MAX_PATH_BYTES} the system takes`;
    throw new UserError(
      `refusing layer entry "${shownName(name)}": ${why}; the artifact cannot be extracted on this system (shorten the names in the artifact)`,
    );
  }
  return parts;
}

/** An entry name as a message shows it: control characters escaped, at most 120 characters. */
export function shownName(name: string): string {
  const escaped = escapeControl(name);
  return escaped.length > 120 ? `${escaped.slice(0, 120)}…` : escaped;
}

/** Creates each missing directory under root; refuses to pass through anything but a real directory. */
export function ensureDirectory(root: string, parts: readonly string[], mode: number): void {
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
export function openNoFollow(path: string, mode: number): number {
  const notAFile = (): UserError =>
    new UserError(`refusing to overwrite ${path}: it exists and is not a regular file`);
  const existing = lstatOrUndefined(path);
  if (existing !== undefined && !existing.isFile()) throw notAFile();
  // O_NONBLOCK: a FIFO swapped in after the check must not hang the open; checked again below.
  const flags =
    constants.O_WRONLY | constants.O_CREAT | constants.O_NOFOLLOW | constants.O_NONBLOCK;
  let fd: number;
  try {
    fd = openSync(path, flags, mode);
  } catch (err) {
    // A symlink (ELOOP) or a FIFO without a reader (ENXIO) swapped in after the check.
    const code = (err as NodeJS.ErrnoException).code;
    throw code === 'ELOOP' || code === 'ENXIO' ? notAFile() : err;
  }
  try {
    if (!fstatSync(fd).isFile()) throw notAFile();
    ftruncateSync(fd); // only once it is known to be a regular file
  } catch (err) {
    closeSync(fd);
    throw err;
  }
  return fd;
}

/**
 * `openNoFollow` for a path that is most likely free (a fresh staging tree): one exclusive
 * create (which never follows a symlink either), and the checks only when something is there.
 */
export function createNoFollow(path: string, mode: number): number {
  const flags = constants.O_WRONLY | constants.O_CREAT | constants.O_EXCL | constants.O_NOFOLLOW;
  try {
    return openSync(path, flags, mode);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err;
    return openNoFollow(path, mode);
  }
}

/** Writes a file without following a symlink that may already sit at its path. */
export function writeFileNoFollow(path: string, content: Uint8Array, mode: number): void {
  const fd = openNoFollow(path, mode);
  try {
    let written = 0;
    while (written < content.length) written += writeSync(fd, content, written);
  } finally {
    closeSync(fd);
  }
}

export function lstatOrUndefined(path: string): ReturnType<typeof lstatSync> {
  return lstatSync(path, { throwIfNoEntry: false });
}
