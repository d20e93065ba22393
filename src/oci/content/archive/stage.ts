import { randomInt } from 'node:crypto';
import {
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  realpathSync,
  rmSync,
  statSync,
  writeFileSync,
  type Stats,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, join, resolve } from 'node:path';
import { UserError } from '../../../errors.js';

/** A directory to archive and how to remove what staging created. */
export interface StagedTree {
  readonly root: string;
  /** Removes the temporary copy, if any; safe to call more than once. */
  readonly cleanup: () => void;
}

/** Options for {@link stageTree}. */
export interface StageOptions {
  /** A directory, a file, or `-` for `stdin`. */
  readonly path: string;
  /** The content for `path: '-'`. @default undefined (then `-` is refused) */
  readonly stdin?: Uint8Array;
  /** Copy the tree with symlinks replaced by their targets first. @default false */
  readonly resolveSymlinks?: boolean;
}

/**
 * Turns the user's `--path` into the directory Flux 2.9 would archive:
 * - a directory is archived in place (or, with `resolveSymlinks`, a temporary copy whose
 *   root is mode 0700 with links replaced by their targets, as `flux build artifact` does);
 * - a single file is copied into a fresh 0700 temporary directory keeping its name and
 *   permission bits, so the archive holds `.` and `<name>`;
 * - `-` takes stdin, trims trailing newlines and stages it as `<random digits>.yaml`
 *   (mode 0600), so such archives are not reproducible, as in Flux.
 */
export function stageTree(options: StageOptions): StagedTree {
  if (options.path === '') {
    throw new UserError('invalid path "": give a directory, a file, or - for stdin');
  }
  if (options.path === '-') return stageStdin(options.stdin);
  const absolute = resolve(options.path);
  let stat: Stats;
  try {
    stat = statSync(absolute);
  } catch {
    throw new UserError(
      `invalid path '${options.path}', must point to an existing directory or file`,
    );
  }
  if (stat.isDirectory()) {
    if (!options.resolveSymlinks) return { root: absolute, cleanup: () => undefined };
    const staged = temporaryDirectory();
    try {
      copyResolvingSymlinks(absolute, staged.root, new Set());
    } catch (err) {
      staged.cleanup();
      if (err instanceof UserError) throw err;
      throw new UserError(`resolving symlinks failed: ${(err as Error).message}`);
    }
    return staged;
  }
  const staged = temporaryDirectory();
  try {
    const target = join(staged.root, basename(absolute));
    copyFile(absolute, target, stat.mode & 0o777);
  } catch (err) {
    staged.cleanup();
    throw new UserError(`cannot stage ${absolute}: ${(err as Error).message}`);
  }
  return staged;
}

function stageStdin(stdin: Uint8Array | undefined): StagedTree {
  if (stdin === undefined) throw new UserError('path "-" needs the content from stdin');
  let end = stdin.length;
  while (end > 0 && (stdin[end - 1] === 0x0a || stdin[end - 1] === 0x0d)) end--;
  const staged = temporaryDirectory();
  // Go's os.CreateTemp("", "*.yaml") names the file with a random uint32.
  const name = `${randomInt(0, 2 ** 32)}.yaml`;
  writeFileSync(join(staged.root, name), stdin.subarray(0, end), { mode: 0o600 });
  return staged;
}

/** A fresh 0700 directory under the system temp dir (Go's os.MkdirTemp). */
function temporaryDirectory(): StagedTree {
  const root = mkdtempSync(join(tmpdir(), 'flux-oci-build-'));
  return { root, cleanup: () => rmSync(root, { recursive: true, force: true }) };
}

/**
 * Flux's resolveSymlinks copyDir: each entry is replaced by what it points to; directories
 * keep their permission bits, files too; other types are dropped; a link cycle stops at the
 * directory already being copied.
 */
function copyResolvingSymlinks(source: string, target: string, visiting: Set<string>): void {
  const real = realOrFail(source);
  if (visiting.has(real)) return;
  visiting.add(real);
  for (const name of readdirSync(source)) {
    const from = join(source, name);
    const to = join(target, name);
    const realFrom = realOrFail(from);
    const stat = statSync(realFrom);
    if (stat.isDirectory()) {
      mkdirSync(to, { recursive: true, mode: stat.mode & 0o7777 });
      copyResolvingSymlinks(realFrom, to, visiting);
    } else if (stat.isFile()) {
      copyFile(realFrom, to, stat.mode & 0o7777);
    }
  }
  visiting.delete(real);
}

function realOrFail(path: string): string {
  try {
    return realpathSync(path);
  } catch (err) {
    throw new UserError(
      `resolving symlinks failed: resolving symlink ${path}: ${(err as Error).message}`,
    );
  }
}

/** Creates `to` with `mode` through the umask, as Go's os.OpenFile(O_CREATE, mode) does. */
function copyFile(from: string, to: string, mode: number): void {
  writeFileSync(to, readFileSync(from), { mode, flag: 'wx' });
}
