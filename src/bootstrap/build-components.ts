import type { ArtifactFile } from '../oci/content/archive/memory-tree.js';
import { buildArtifact, type BuiltArtifact } from '../oci/content/build.js';
import { applyUserKustomization } from '../flux/kustomize/apply-kustomization.js';
import { componentsContent } from '../flux/components-content.js';
import { generateComponents } from '../flux/generate-components.js';
import type { KubeObject } from '../kube/object.js';
import { loadManifests } from '../flux/manifests/source.js';
import {
  COMPONENTS_FILE,
  parseUserKustomization,
  readUserKustomization,
} from '../flux/kustomize/user-kustomization.js';
import { parseManifests } from '../kube/manifests.js';
import type { Artifact } from '../oci/content/descriptor.js';
import { readLayer } from '../oci/content/archive/extract.js';
import { UserError } from '../errors.js';
import type { ResolvedBootstrapOptions } from './options/resolve-options.js';

/** Where the components artifact says it comes from (`flux trace` shows it as Origin Source). */
export const COMPONENTS_SOURCE = 'https://github.com/fluxcd/flux2';

/** The components artifact and what the first apply sends. */
export interface PackedComponents {
  readonly artifact: BuiltArtifact;
  /** The components with the user's kustomization applied. */
  readonly objects: readonly KubeObject[];
  /** Flux version, `vX.Y.Z`. */
  readonly version: string;
}

/**
 * Builds the artifact Flux updates itself from: `<namespace>/gotk-components.yaml` and
 * `<namespace>/kustomization.yaml` (the user's, with its patch files, or Flux's default). It
 * is reproducible (fixed created time, fixed file modes, deterministic tar and gzip), so the
 * same options give the same digest on every machine and the construct knows the digest at
 * synth time.
 */
export async function packComponents(options: ResolvedBootstrapOptions): Promise<PackedComponents> {
  const kustomization =
    options.kustomization === undefined ? undefined : readUserKustomization(options.kustomization);
  const bundle = await loadManifests({
    version: options.version,
    manifestsPath: options.manifests,
    baseUrl: options.manifestsBaseUrl,
  });
  const components = generateComponents(bundle, options);
  const content = componentsContent(components, options.namespace, kustomization);
  const artifact = await buildReproducibleArtifact(content.files, {
    source: COMPONENTS_SOURCE,
    revision: components.version,
  });
  return { artifact, objects: content.objects, version: components.version };
}

/**
 * The objects a components artifact installs: its gotk-components.yaml with its
 * kustomization's patches applied, as kustomize-controller will build it. The pre-apply
 * step applies exactly what it pushed.
 */
export function unpackComponents(artifact: Artifact, namespace: string): KubeObject[] {
  const files = new Map<string, string>();
  for (const entry of readLayer(artifact.layers[0].bytes)) {
    if (entry.kind === 'file') files.set(entry.name, Buffer.from(entry.content).toString('utf8'));
  }
  const read = (path: string): string => {
    const text = files.get(path);
    if (text === undefined) {
      throw new UserError(
        `the components artifact ${artifact.manifest.descriptor.digest} has no ${path}; ` +
          `was it built for namespace '${namespace}'? Rebuild it with 'flux-oci build components'`,
      );
    }
    return text;
  };
  const objects = parseManifests(read(`${namespace}/${COMPONENTS_FILE}`), COMPONENTS_FILE);
  const kustomizationPath = `${namespace}/kustomization.yaml`;
  const kustomization = parseUserKustomization(read(kustomizationPath), kustomizationPath, (p) =>
    read(`${namespace}/${p}`),
  );
  return applyUserKustomization(objects, kustomization);
}

/**
 * A reproducible artifact of in-memory files: fixed created time, directories 0755 and files
 * 0644 whatever the umask (the modes go into the tar), so equal files give an equal digest
 * on every machine. Built in memory: no temporary directory.
 */
export async function buildReproducibleArtifact(
  files: readonly ArtifactFile[],
  annotations: { readonly source: string; readonly revision: string },
): Promise<BuiltArtifact> {
  return buildArtifact({ files, reproducible: true, ...annotations });
}
