import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { loadEmbeddedManifests } from '../../src/flux/manifests/embedded.js';
import { readBundleObjects } from '../../src/flux/manifests/bundle.js';

// Made independently by scripts/harness-flux-components.sh from the same Go modules.
const HARNESS_COMPONENTS = join(import.meta.dirname, '..', 'fixtures', 'flux-components');

/** The controller versions flux2 v2.9.5's manifests/bases name (the release's images). */
const IMAGES: Record<string, string> = {
  'source-controller': 'v1.9.5',
  'kustomize-controller': 'v1.9.5',
  'helm-controller': 'v1.6.4',
  'notification-controller': 'v1.9.4',
  'image-reflector-controller': 'v1.2.5',
  'image-automation-controller': 'v1.2.5',
  'source-watcher': 'v2.2.4',
};

describe('the embedded Flux v2.9.5 manifests', () => {
  test.each(['source-controller.yaml', 'kustomize-controller.yaml', 'rbac.yaml', 'policies.yaml'])(
    '%s equals the harness build of the same modules byte for byte',
    async (file) => {
      const bundle = await loadEmbeddedManifests();
      expect(bundle.files.get(file)).toBe(readFileSync(join(HARNESS_COMPONENTS, file), 'utf8'));
    },
  );

  test.each(Object.entries(IMAGES))(
    '%s: its CRDs, and its Deployment pinned to %s as the release pins it',
    async (component, tag) => {
      const objects = readBundleObjects(await loadEmbeddedManifests(), `${component}.yaml`);
      expect(objects.filter((o) => o.kind === 'CustomResourceDefinition').length).toBeGreaterThan(
        0,
      );
      const deployment = objects.find((o) => o.kind === 'Deployment');
      const pod = (deployment?.spec as { template: { spec: { containers: { image: string }[] } } })
        .template.spec;
      expect(pod.containers[0].image).toBe(`fluxcd/${component}:${tag}`);
    },
  );
});
