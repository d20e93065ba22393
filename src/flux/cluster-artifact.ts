import { UserError } from '../errors.js';
import type { ArtifactFile } from '../oci/content/archive/memory-tree.js';
import { stringifyYaml } from '../kube/manifests.js';

/**
 * The slash-separated directory of the cluster's kustomization inside the cluster artifact:
 * the cluster path as given, nothing prepended (the RFC's `--cluster-path=clusters/production`
 * is `clusters/production`), without a leading `./` or `/` and a trailing `/`; `.` for the
 * artifact's root (`./`, the default, as `flux bootstrap --path`). The `flux-system`
 * Kustomization's path is `./` + this.
 */
export function clusterDirectory(clusterPath: string): string {
  if (clusterPath === '') {
    throw new UserError(
      `the cluster path is empty; give one such as clusters/production, or ./ for the artifact's root`,
    );
  }
  const trimmed = clusterPath.replace(/^(\.\/|\/)+/, '').replace(/\/+$/, '');
  if (trimmed === '' || trimmed === '.') return '.';
  if (trimmed.split('/').some((s) => s === '..' || s === '.' || s === '')) {
    throw new UserError(
      `cluster path "${clusterPath}" must be a plain relative path without '.', '..' or '//'`,
    );
  }
  return trimmed;
}

/**
 * The content of the empty cluster artifact pushed when the cluster tag does not exist yet:
 * `<path>/kustomization.yaml`, a kustomization with no resources.
 */
export function emptyClusterArtifactFiles(clusterPath: string): ArtifactFile[] {
  const content = stringifyYaml({
    apiVersion: 'kustomize.config.k8s.io/v1beta1',
    kind: 'Kustomization',
    resources: [],
  });
  const dir = clusterDirectory(clusterPath);
  return [{ path: dir === '.' ? 'kustomization.yaml' : `${dir}/kustomization.yaml`, content }];
}
