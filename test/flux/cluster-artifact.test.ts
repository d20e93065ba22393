import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { writeArtifactFiles } from '../../src/flux/artifact-files.js';
import { clusterDirectory, emptyClusterArtifactFiles } from '../../src/flux/cluster-artifact.js';
import { clusterSyncObjects } from '../../src/flux/sync-objects.js';
import { kustomizeBinary, kustomizeBuild } from './kustomize-oracle.js';

describe('empty cluster artifact', () => {
  // A cold machine builds kustomize from its Go module first (cached afterwards).
  beforeAll(() => void kustomizeBinary(), 15 * 60_000);
  test('clusters/<path>/kustomization.yaml with no resources, which kustomize builds to nothing', async () => {
    const files = emptyClusterArtifactFiles('./eu/prod-1/');
    expect(files).toEqual([
      {
        path: 'clusters/eu/prod-1/kustomization.yaml',
        content:
          'apiVersion: kustomize.config.k8s.io/v1beta1\nkind: Kustomization\nresources: []\n',
      },
    ]);
    const dir = mkdtempSync(join(tmpdir(), 'cluster-artifact-'));
    try {
      await writeArtifactFiles(files, dir);
      expect(kustomizeBuild(join(dir, 'clusters', 'eu', 'prod-1'))).toEqual([]);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  test('the flux-system Kustomization points at the same directory', () => {
    const [, ks] = clusterSyncObjects({ url: 'oci://r/fleet', path: clusterDirectory('prod') });
    expect((ks.spec as { path: string }).path).toBe('./clusters/prod');
  });

  test.each(['', './', '../x', 'a//b'])('refuses cluster path %j', (path) => {
    expect(() => clusterDirectory(path)).toThrow(/cluster path/);
  });
});
