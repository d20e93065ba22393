import { UserError } from '../errors.js';
import type { ArtifactFile } from './artifact-files.js';
import { stringifyYaml } from './yaml-documents.js';

/**
 * The slash-separated directory of the cluster's kustomization inside the cluster artifact:
 * `clusters/<clusterPath>`. The `flux-system` Kustomization's path is `./` + this.
 */
export function clusterDirectory(clusterPath: string): string {
  const trimmed = clusterPath.replace(/^(\.\/|\/)+/, '').replace(/\/+$/, '');
  if (trimmed === '' || trimmed === '.') {
    throw new UserError(`the cluster path is empty; give one such as production or eu/prod-1`);
  }
  if (trimmed.split('/').some((s) => s === '..' || s === '.' || s === '')) {
    throw new UserError(
      `cluster path "${clusterPath}" must be a plain relative path without '.', '..' or '//'`,
    );
  }
  return `clusters/${trimmed}`;
}

/**
 * The content of the empty cluster artifact pushed when the cluster tag does not exist yet:
 * `clusters/<path>/kustomization.yaml`, a kustomization with no resources.
 */
export function emptyClusterArtifactFiles(clusterPath: string): ArtifactFile[] {
  const content = stringifyYaml({
    apiVersion: 'kustomize.config.k8s.io/v1beta1',
    kind: 'Kustomization',
    resources: [],
  });
  return [{ path: `${clusterDirectory(clusterPath)}/kustomization.yaml`, content }];
}
