import { mkdtempSync, mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { generateComponents, type GeneratedComponents } from '../flux/generate-components.js';
import { loadManifests } from '../flux/manifests-source.js';
import { buildArtifact, type BuiltArtifact } from '../oci/content/build.js';
import type { ResolvedBootstrapOptions } from './resolve-options.js';

/** Where the components artifact says it comes from (`flux trace` shows it as Origin Source). */
export const COMPONENTS_SOURCE = 'https://github.com/fluxcd/flux2';

/** The components artifact with the generation it was built from. */
export interface ComponentsArtifact {
  readonly artifact: BuiltArtifact;
  readonly components: GeneratedComponents;
}

/** The kustomization.yaml beside gotk-components.yaml, as `flux bootstrap` writes it. */
const DEFAULT_KUSTOMIZATION =
  'apiVersion: kustomize.config.k8s.io/v1beta1\nkind: Kustomization\nresources:\n- gotk-components.yaml\n';

/**
 * Builds the artifact Flux updates itself from: `flux-system/gotk-components.yaml` and
 * `flux-system/kustomization.yaml`. It is reproducible (fixed created time, deterministic
 * tar and gzip), so the same options give the same digest on every machine and the
 * construct knows the digest at synth time.
 */
export async function buildComponentsArtifact(
  options: ResolvedBootstrapOptions,
): Promise<ComponentsArtifact> {
  const bundle = await loadManifests({
    version: options.version,
    manifestsPath: options.manifests,
    baseUrl: options.manifestsBaseUrl,
  });
  const components = generateComponents(bundle, options);
  const dir = mkdtempSync(join(tmpdir(), 'flux-components-'));
  try {
    mkdirSync(join(dir, 'flux-system'), { mode: 0o755 });
    writeFileSync(join(dir, 'flux-system', 'gotk-components.yaml'), components.text, {
      mode: 0o644,
    });
    writeFileSync(join(dir, 'flux-system', 'kustomization.yaml'), DEFAULT_KUSTOMIZATION, {
      mode: 0o644,
    });
    const artifact = buildArtifact({
      path: dir,
      reproducible: true,
      source: COMPONENTS_SOURCE,
      revision: components.version,
    });
    return { artifact, components };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
