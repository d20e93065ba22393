import { mkdtempSync, mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { buildArtifact, type BuiltArtifact } from '../../src/oci/index.js';

/** Writes `files` (relative path -> content) under a new temporary directory and returns it. */
export function writeTree(files: Readonly<Record<string, string | Uint8Array>>): string {
  const root = mkdtempSync(join(tmpdir(), 'flux-oci-tree-'));
  for (const [name, content] of Object.entries(files)) {
    const path = join(root, name);
    mkdirSync(dirname(path), { recursive: true });
    writeFileSync(path, content);
  }
  return root;
}

/**
 * A reproducible Flux artifact of `files` built with the project's builder; the same
 * files, source and revision give the same digest.
 */
export function fluxArtifact(
  files: Readonly<Record<string, string | Uint8Array>>,
  meta: { source?: string; revision?: string } = {},
): BuiltArtifact {
  const root = writeTree(files);
  try {
    return buildArtifact({
      path: root,
      source: meta.source ?? 'https://github.com/example/fleet',
      revision: meta.revision ?? 'main@sha1:0123456789abcdef0123456789abcdef01234567',
      reproducible: true,
    });
  } finally {
    rmSync(root, { recursive: true, force: true });
  }
}
