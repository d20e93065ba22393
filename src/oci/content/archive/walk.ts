import { lstatSync, readdirSync, type Stats } from 'node:fs';
import { join } from 'node:path';
import { UserError } from '../../../errors.js';
import type { IgnoreMatcher } from './ignore.js';
import { isStagingName } from './staging-directory.js';
import type { TarEntry } from './tar-writer.js';

/**
 * The tar entries for a directory in the order Flux writes them (Go's `filepath.WalkDir`):
 * the root as `.`, then depth first with the entries of each directory sorted by the bytes
 * of their names. Only regular files and directories are archived; symlinks, sockets and
 * devices are skipped without following them (a root that is itself a symlink yields
 * nothing, as in Flux), and so is a staging directory an interrupted pull left. Ignored directories are still descended, so negated patterns can
 * bring back files below them. Files are named, with their size, and read as the archive is
 * written (`TarEntry.file`).
 */
export function* walkTree(root: string, ignore: IgnoreMatcher): Generator<TarEntry> {
  yield* walk(root, '.', ignore);
}

function* walk(absolute: string, relative: string, ignore: IgnoreMatcher): Generator<TarEntry> {
  const stat = lstatOrFail(absolute);
  const isDirectory = stat.isDirectory();
  if (!isDirectory && !stat.isFile()) return;
  const mode = stat.mode & 0o7777;
  if (!ignore.ignores(relative, isDirectory)) {
    yield isDirectory
      ? { name: relative, type: 'directory', mode }
      : { name: relative, type: 'file', mode, file: { path: absolute, size: stat.size } };
  }
  if (!isDirectory) return;
  for (const child of sortedChildren(absolute)) {
    // What an interrupted pull left (unverified content): never packed.
    if (isStagingName(child) && lstatSync(join(absolute, child)).isDirectory()) continue;
    yield* walk(join(absolute, child), relative === '.' ? child : `${relative}/${child}`, ignore);
  }
}

/** Names sorted as Go's os.ReadDir sorts them: by UTF-8 bytes, not UTF-16 code units. */
function sortedChildren(directory: string): string[] {
  let names: string[];
  try {
    names = readdirSync(directory);
  } catch (err) {
    throw new UserError(`cannot read directory ${directory}: ${(err as Error).message}`);
  }
  return names
    .map((name) => ({ name, bytes: Buffer.from(name) }))
    .sort((a, b) => Buffer.compare(a.bytes, b.bytes))
    .map((child) => child.name);
}

function lstatOrFail(path: string): Stats {
  try {
    return lstatSync(path);
  } catch (err) {
    throw new UserError(`cannot read ${path}: ${(err as Error).message}`);
  }
}
