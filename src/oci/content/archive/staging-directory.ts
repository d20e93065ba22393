import { mkdirSync, mkdtempSync, renameSync, rmSync, statSync } from 'node:fs';
import { basename, dirname, join } from 'node:path';
import { UserError } from '../../../errors.js';

// Where a pull extracts before the digest is known: a directory from which renames reach the
// target. Linux refuses rename(2) across mount points even on one file system (bind mounts:
// Kubernetes subPath/emptyDir, `docker -v`, Tekton workspaces), so a real rename is tried.

/** Error codes that mean "renames from there cannot reach the target": try the next place. */
const UNREACHABLE = new Set(['EXDEV', 'EACCES', 'EPERM', 'EROFS']);

/**
 * A new, empty staging directory from which renames reach `root`: beside it
 * (`.<name>.flux-oci-XXXXXX` in its parent) when a rename from there into `root` works, else
 * inside it (`.flux-oci-XXXXXX`). Refused in one line when `root` takes no new entry.
 */
export function createStagingDirectory(root: string): string {
  const parent = dirname(root);
  if (parent !== root && statSync(parent).dev === statSync(root).dev) {
    const beside = tryStaging(parent, `.${basename(root)}.`, root);
    if (beside !== undefined) return beside;
  }
  const inside = tryStaging(root, '.', root);
  if (inside !== undefined) return inside;
  throw cannotWriteInto(root, 'EACCES');
}

/** Removes a staging directory and whatever it holds. */
export function removeStagingDirectory(staging: string): void {
  rmSync(staging, { recursive: true, force: true });
}

/** One line for a directory a pull cannot write into. */
export function cannotWriteInto(dir: string, code: string | undefined): UserError {
  const why = code === 'EROFS' ? 'read-only file system' : 'permission denied';
  return new UserError(`cannot write into ${dir} (${why}): choose a writable --output`);
}

/** A staging directory in `dir` whose renames reach `root`, or undefined. */
function tryStaging(dir: string, lead: string, root: string): string | undefined {
  let staging: string;
  try {
    staging = mkdtempSync(join(dir, `${lead}flux-oci-`));
  } catch (err) {
    if (UNREACHABLE.has(codeOf(err))) return undefined;
    throw err;
  }
  try {
    probeRename(staging, root);
    return staging;
  } catch (err) {
    removeStagingDirectory(staging);
    if (UNREACHABLE.has(codeOf(err))) return undefined;
    throw err;
  }
}

/** Renames an empty directory from `staging` into `root` and removes it: throws what a move would. */
function probeRename(staging: string, root: string): void {
  const from = join(staging, 'probe');
  mkdirSync(from);
  const to = join(root, `${basename(staging)}-probe`);
  renameSync(from, to);
  rmSync(to, { recursive: true, force: true });
}

function codeOf(err: unknown): string {
  return String((err as NodeJS.ErrnoException).code ?? '');
}
