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
  test('<path>/kustomization.yaml with no resources, which kustomize builds to nothing', async () => {
    const files = emptyClusterArtifactFiles('./clusters/eu/prod-1/');
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

  // The RFC's story 1: --cluster-path=clusters/production is the path, nothing prepended.
  test('the flux-system Kustomization points at the same directory, the path as given', () => {
    const dir = clusterDirectory('clusters/production');
    const [, ks] = clusterSyncObjects({ url: 'oci://r/fleet', path: dir });
    expect((ks.spec as { path: string }).path).toBe('./clusters/production');
    expect(emptyClusterArtifactFiles('clusters/production')[0].path).toBe(
      'clusters/production/kustomization.yaml',
    );
    const [, other] = clusterSyncObjects({ url: 'oci://r/fleet', path: clusterDirectory('prod') });
    expect((other.spec as { path: string }).path).toBe('./prod');
  });

  // The default, as flux bootstrap's --path: the artifact's root.
  test.each(['./', '.', '/'])('%j is the artifact root', (path) => {
    const [, ks] = clusterSyncObjects({ url: 'oci://r/fleet', path: clusterDirectory(path) });
    expect((ks.spec as { path: string }).path).toBe('./');
    expect(emptyClusterArtifactFiles(path)[0].path).toBe('kustomization.yaml');
  });

  test.each(['', '../x', 'a//b', 'a/./b'])('refuses cluster path %j', (path) => {
    expect(() => clusterDirectory(path)).toThrow(/cluster path/);
  });
});
