import type { IgnoreMatcher } from './ignore.js';
import type { TarEntry } from './tar-writer.js';

/** One file of an artifact's content, with its slash-separated path inside the artifact. */
export interface ArtifactFile {
  readonly path: string;
  readonly content: string;
}

/** An artifact's content given as files in memory instead of a directory. */
export interface MemoryTree {
  readonly files: readonly ArtifactFile[];
}

interface Directory {
  readonly children: Map<string, Directory | ArtifactFile>;
}

/**
 * The tar entries for files held in memory, as {@link walkTree} lists a directory holding
 * them: the root `.` first, then depth first with each directory's entries sorted by the
 * bytes of their names, ignored entries left out (directories still descended). The modes
 * are those of a freshly staged temporary directory with fixed permissions: root 0700,
 * directories 0755, files 0644, so equal files give equal bytes on every machine.
 */
export function* memoryTree(
  files: readonly ArtifactFile[],
  ignore: IgnoreMatcher,
): Generator<TarEntry> {
  const root: Directory = { children: new Map() };
  for (const file of files) {
    const parts = file.path.split('/');
    let dir = root;
    for (const part of parts.slice(0, -1)) {
      let next = dir.children.get(part);
      if (!next || !('children' in next)) {
        next = { children: new Map() };
        dir.children.set(part, next);
      }
      dir = next;
    }
    dir.children.set(parts[parts.length - 1]!, file);
  }
  if (!ignore.ignores('.', true)) yield { name: '.', type: 'directory', mode: 0o700 };
  yield* entries(root, '', ignore);
}

function* entries(dir: Directory, prefix: string, ignore: IgnoreMatcher): Generator<TarEntry> {
  const names = [...dir.children.keys()].sort((a, b) =>
    Buffer.compare(Buffer.from(a), Buffer.from(b)),
  );
  for (const name of names) {
    const child = dir.children.get(name)!;
    const path = `${prefix}${name}`;
    if ('children' in child) {
      if (!ignore.ignores(path, true)) yield { name: path, type: 'directory', mode: 0o755 };
      yield* entries(child, `${path}/`, ignore);
    } else if (!ignore.ignores(path, false)) {
      yield { name: path, type: 'file', mode: 0o644, content: Buffer.from(child.content) };
    }
  }
}
