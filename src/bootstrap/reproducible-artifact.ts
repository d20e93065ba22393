import { chmodSync, readdirSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { writeArtifactFiles, type ArtifactFile } from '../flux/artifact-files.js';
import { buildArtifact, type BuiltArtifact } from '../oci/content/build.js';

/**
 * A reproducible artifact of in-memory files: fixed created time, directories 0755 and files
 * 0644 whatever the umask (the modes go into the tar), so equal files give an equal digest
 * on every machine.
 */
export async function buildReproducibleArtifact(
  files: readonly ArtifactFile[],
  annotations: { readonly source: string; readonly revision: string },
): Promise<BuiltArtifact> {
  const dir = await writeArtifactFiles(files);
  try {
    fixModes(dir);
    return buildArtifact({ path: dir, reproducible: true, ...annotations });
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

function fixModes(dir: string): void {
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const path = join(dir, entry.name);
    chmodSync(path, entry.isDirectory() ? 0o755 : 0o644);
    if (entry.isDirectory()) fixModes(path);
  }
}
