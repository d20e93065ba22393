import { createHash } from 'node:crypto';
import { DEFAULT_IGNORE_PATHS, IgnoreMatcher } from './ignore.js';
import { stageTree, type StageOptions } from './stage.js';
import { tarChunks } from './tar-writer.js';
import { walkTree } from './walk.js';
import { memoryTree, type MemoryTree } from './memory-tree.js';

/** What to archive: a path or files in memory, and the ignore patterns (see LayerOptions). */
export type TarOptions = (StageOptions | MemoryTree) & {
  readonly ignorePaths?: readonly string[];
};

/**
 * {@link buildTar}'s bytes in pieces as they are made, files read a piece at a time: what
 * streams into gzip for large trees. The staged copy (if any) is removed when the
 * iteration ends, completed or not.
 */
export function* tarPieces(options: TarOptions): Generator<Uint8Array> {
  const ignore = new IgnoreMatcher(options.ignorePaths ?? DEFAULT_IGNORE_PATHS);
  if ('files' in options) {
    yield* tarChunks(memoryTree(options.files, ignore));
    return;
  }
  const staged = stageTree(options);
  try {
    yield* tarChunks(walkTree(staged.root, ignore));
  } finally {
    staged.cleanup();
  }
}

/** The diffID (`sha256:` of the tar) of `options`, hashed as the tar is made; nothing kept. */
export function tarDiffId(options: TarOptions): string {
  const hash = createHash('sha256');
  for (const piece of tarPieces(options)) hash.update(piece);
  return `sha256:${hash.digest('hex')}`;
}
