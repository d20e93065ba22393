import { chmodSync, mkdirSync, mkdtempSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';

/** One thing to create in a fixture tree; parents are created 0755 as needed. */
export type TreeItem =
  | { readonly file: string; readonly content?: string | Uint8Array; readonly mode?: number }
  | { readonly dir: string; readonly mode?: number }
  | { readonly symlink: string; readonly target: string };

/** Creates the items under a fresh temp dir and returns its path; modes are set exactly. */
export function makeTree(items: readonly TreeItem[]): string {
  const root = mkdtempSync(join(tmpdir(), 'fixture-tree-'));
  chmodSync(root, 0o755);
  const modes: [string, number][] = [];
  for (const item of items) {
    if ('file' in item) {
      const path = join(root, item.file);
      mkdirSync(dirname(path), { recursive: true });
      writeFileSync(path, item.content ?? '');
      modes.push([path, item.mode ?? 0o644]);
    } else if ('dir' in item) {
      const path = join(root, item.dir);
      mkdirSync(path, { recursive: true });
      modes.push([path, item.mode ?? 0o755]);
    } else {
      const path = join(root, item.symlink);
      mkdirSync(dirname(path), { recursive: true });
      symlinkSync(item.target, path);
    }
  }
  // Directories last-to-first so a 0500 parent does not block its children's chmod.
  for (const [path, mode] of modes.reverse()) chmodSync(path, mode);
  return root;
}
