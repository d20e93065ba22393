import { mkdir, mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import type { ArtifactFile } from '../oci/content/archive/memory-tree.js';

/**
 * Writes artifact files under `dir` (a new temporary directory when omitted) and returns the
 * directory, ready for the artifact builder, which takes a directory path.
 */
export async function writeArtifactFiles(
  files: readonly ArtifactFile[],
  dir?: string,
): Promise<string> {
  const root = dir ?? (await mkdtemp(join(tmpdir(), 'flux-oci-artifact-')));
  for (const file of files) {
    const target = join(root, ...file.path.split('/'));
    await mkdir(dirname(target), { recursive: true });
    await writeFile(target, file.content, { mode: 0o644 });
  }
  return root;
}
