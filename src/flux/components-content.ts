import type { ArtifactFile } from '../oci/content/archive/memory-tree.js';
import { applyUserKustomization } from './kustomize/apply-kustomization.js';
import type { GeneratedComponents } from './generate-components.js';
import type { KubeObject } from '../kube/object.js';
import { COMPONENTS_FILE, type UserKustomization } from './kustomize/user-kustomization.js';
import { stringifyYaml } from '../kube/manifests.js';

/** What goes into the components artifact and what is applied before Flux takes over. */
export interface ComponentsContent {
  /** `<namespace>/gotk-components.yaml`, `<namespace>/kustomization.yaml` and any patch files it names. */
  readonly files: readonly ArtifactFile[];
  /** The components with the user's customisations applied: what the first apply must send. */
  readonly objects: readonly KubeObject[];
}

/**
 * The components artifact content, in a directory named after the namespace (`flux-system/`
 * by default), as `flux bootstrap` lays it out. Without a user kustomization, Flux's default
 * one listing gotk-components.yaml is written; with one, it is shipped unchanged with its
 * patch files, and its patches are applied to the objects returned for the first apply.
 */
export function componentsContent(
  components: GeneratedComponents,
  namespace: string,
  kustomization?: UserKustomization,
): ComponentsContent {
  const dir = namespace;
  const files: ArtifactFile[] = [{ path: `${dir}/${COMPONENTS_FILE}`, content: components.text }];
  if (!kustomization) {
    files.push({ path: `${dir}/kustomization.yaml`, content: defaultKustomization() });
    return { files, objects: components.objects };
  }
  files.push({ path: `${dir}/kustomization.yaml`, content: kustomization.text });
  for (const file of kustomization.patchFiles) {
    if (!files.some((f) => f.path === `${dir}/${file.path}`)) {
      files.push({ path: `${dir}/${file.path}`, content: file.content });
    }
  }
  return { files, objects: applyUserKustomization(components.objects, kustomization) };
}

/** The kustomization.yaml `flux bootstrap` writes when there is none. */
export function defaultKustomization(): string {
  return stringifyYaml({
    apiVersion: 'kustomize.config.k8s.io/v1beta1',
    kind: 'Kustomization',
    resources: [COMPONENTS_FILE],
  });
}
