import { chmodSync, readdirSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { buildArtifact } from '../../../src/oci/content/build.js';
import { writeArtifactFiles } from '../../../src/flux/artifact-files.js';
import { emptyClusterArtifactFiles } from '../../../src/flux/cluster-artifact.js';

// An artifact of in-memory files is byte for byte the one built from the same files written
// to a temporary directory with fixed modes (how the components artifact was built before):
// its digest, which clusters follow, does not change.
const files = [
  { path: 'flux-system/gotk-components.yaml', content: 'kind: Namespace\n' },
  { path: 'flux-system/kustomization.yaml', content: 'resources: [gotk-components.yaml]\n' },
  { path: 'flux-system/patches/b.yaml', content: 'b\n' },
  { path: 'flux-system/patches/a.yaml', content: 'a\n' },
  { path: 'flux-system/Z.yaml', content: 'upper case sorts first\n' },
  { path: 'flux-system/é.yaml', content: 'sorted by bytes\n' },
  { path: '.git/config', content: 'ignored by the default patterns\n' },
  { path: 'picture.jpg', content: 'ignored too\n' },
];

function fixModes(dir: string): void {
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const path = join(dir, entry.name);
    chmodSync(path, entry.isDirectory() ? 0o755 : 0o644);
    if (entry.isDirectory()) fixModes(path);
  }
}

async function fromDirectory(list: typeof files, reproducible: boolean) {
  const dir = await writeArtifactFiles(list);
  try {
    fixModes(dir);
    return buildArtifact({ path: dir, reproducible, source: 's', revision: 'r' });
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

describe('buildArtifact({ files })', () => {
  it('gives the bytes the same files give from a directory (reproducible components)', async () => {
    const expected = await fromDirectory(files, true);
    const built = buildArtifact({ files, reproducible: true, source: 's', revision: 'r' });
    expect(built.diffId).toBe(expected.diffId);
    expect(built.manifest.descriptor.digest).toBe(expected.manifest.descriptor.digest);
  });

  it('gives the empty cluster artifact the same layer as from a directory', async () => {
    const empty = emptyClusterArtifactFiles('clusters/production');
    const expected = await fromDirectory(empty, true);
    expect(
      buildArtifact({ files: empty, reproducible: true, source: 's', revision: 'r' }).diffId,
    ).toBe(expected.diffId);
  });
});
