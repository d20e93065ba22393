import { createHash } from 'node:crypto';
import { DEFAULT_IGNORE_PATHS, IgnoreMatcher } from './ignore.js';
import { stageTree, type StageOptions } from './stage.js';
import { tarChunks } from './tar-writer.js';
import { walkTree } from './walk.js';

/** What to archive: the tree and its ignore patterns (see LayerOptions). */
export interface TarOptions extends StageOptions {
  readonly ignorePaths?: readonly string[];
}

/**
 * {@link buildTar}'s bytes in pieces as they are made, files read a piece at a time: what
 * streams into gzip for large trees. The staged copy (if any) is removed when the
 * iteration ends, completed or not.
 */
export function* tarPieces(options: TarOptions): Generator<Uint8Array> {
  const staged = stageTree(options);
  try {
    const ignore = new IgnoreMatcher(options.ignorePaths ?? DEFAULT_IGNORE_PATHS);
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
