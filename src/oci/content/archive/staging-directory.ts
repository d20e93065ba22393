import { createHash, randomBytes } from 'node:crypto';
import {
  lstatSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  renameSync,
  rmSync,
  statSync,
} from 'node:fs';
import { hostname } from 'node:os';
import { basename, dirname, join } from 'node:path';
import { UserError } from '../../../errors.js';

// Where a pull extracts before the digest is known: a directory from which renames reach the
// target. Linux refuses rename(2) across mount points even on one file system (bind mounts:
// Kubernetes subPath/emptyDir, `docker -v`, Tekton workspaces), so a real rename is tried.
//
// Its name says whose it is, `flux-oci-<host>-<pid>-XXXXXX`: a pull interrupted beyond any
// cleanup (SIGKILL, power loss) leaves one that the next pull into the same place removes
// (same user, same host, process gone), and that build/push artifact never pack.

/** Error codes that mean "renames from there cannot reach the target": try the next place. */
const UNREACHABLE = new Set(['EXDEV', 'EACCES', 'EPERM', 'EROFS']);

/** This host in staging names: a process id means something only on the host that wrote it. */
const HOST = createHash('sha256').update(hostname()).digest('hex').slice(0, 8);

/** `flux-oci-<host>-<pid>-XXXXXX` after the lead (`.` inside the target, `.<name>.` beside it). */
const OWNED = /^flux-oci-([0-9a-f]{8})-([0-9]+)-[A-Za-z0-9]{6}$/;

/** Staging directories of this process that still exist (removed on SIGINT/SIGTERM). */
const active = new Set<string>();

/**
 * A new, empty staging directory from which renames reach `root`: beside it
 * (`.<name>.flux-oci-…` in its parent) when a rename from there into `root` works, else
 * inside it (`.flux-oci-…`). Stale ones of earlier pulls there are removed first. Refused in
 * one line when `root` takes no new entry.
 */
export function createStagingDirectory(root: string): string {
  const parent = dirname(root);
  removeStale(root, '.');
  if (parent !== root && statSync(parent).dev === statSync(root).dev) {
    removeStale(parent, `.${basename(root)}.`);
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
  active.delete(staging);
}

/**
 * Removes every staging directory this process still has: the CLI calls it on SIGINT and
 * SIGTERM, so an interrupted pull leaves no unverified content beside or inside --output.
 */
export function removeActiveStagingDirectories(): void {
  for (const staging of active) removeStagingDirectory(staging);
}

/** Whether `name` is a staging directory's name (never packed by build/push artifact). */
export function isStagingName(name: string): boolean {
  const lead = name.lastIndexOf('.flux-oci-');
  return lead >= 0 && OWNED.test(name.slice(lead + 1));
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
    staging = mkdtempSync(join(dir, `${lead}${ownName()}`));
  } catch (err) {
    if (UNREACHABLE.has(codeOf(err))) return undefined;
    throw err;
  }
  active.add(staging);
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
  const to = join(root, `.${ownName()}${randomBytes(3).toString('hex')}`);
  renameSync(from, to);
  rmSync(to, { recursive: true, force: true });
}

/** `flux-oci-<host>-<pid>-`, completed by 6 random characters. */
function ownName(): string {
  return `flux-oci-${HOST}-${process.pid}-`;
}

/** Removes the staging directories in `dir` left by processes of this user on this host that are gone. */
function removeStale(dir: string, lead: string): void {
  let names: string[];
  try {
    names = readdirSync(dir);
  } catch {
    return;
  }
  for (const name of names) {
    const owner = name.startsWith(lead) ? OWNED.exec(name.slice(lead.length)) : null;
    if (owner === null || owner[1] !== HOST) continue;
    const path = join(dir, name);
    const stat = lstatSync(path, { throwIfNoEntry: false });
    if (!stat?.isDirectory() || stat.uid !== process.getuid?.()) continue;
    const pid = Number(owner[2]);
    const gone = pid === process.pid ? !active.has(path) : !processExists(pid);
    if (gone) rmSync(path, { recursive: true, force: true });
  }
}

function processExists(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return codeOf(err) === 'EPERM';
  }
}

function codeOf(err: unknown): string {
  return String((err as NodeJS.ErrnoException).code ?? '');
}
