import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { packComponents, unpackComponents } from '../../src/bootstrap/build-components.js';
import { resolveBootstrapOptions } from '../../src/bootstrap/options/resolve-options.js';
import type { BootstrapOciOptions } from '../../src/bootstrap/options/options.js';

const bundle = join(dirname(fileURLToPath(import.meta.url)), '..', 'fixtures', 'flux-bundle');

function options(extra: Partial<BootstrapOciOptions> = {}) {
  return resolveBootstrapOptions({ url: 'oci://r/flux:latest', manifests: bundle, ...extra });
}

function deployment(
  objects: readonly { kind: string; metadata: { name: string } }[],
  name: string,
) {
  return objects.find((o) => o.kind === 'Deployment' && o.metadata.name === name) as unknown as {
    spec: { template: { spec: { containers: { env?: { name: string; value: string }[] }[] } } };
  };
}

describe('components artifact', () => {
  let dir: string;
  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'components-test-'));
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  test('unpacking gives back exactly what the first apply sends', async () => {
    const packed = await packComponents(options());
    expect(unpackComponents(packed.artifact, 'flux-system')).toEqual(packed.objects);
    expect(packed.objects.length).toBeGreaterThan(10);
  });

  test("the user's kustomization patches the objects before the first apply and travels in the artifact", async () => {
    writeFileSync(
      join(dir, 'kustomization.yaml'),
      [
        'apiVersion: kustomize.config.k8s.io/v1beta1',
        'kind: Kustomization',
        'resources:',
        '- gotk-components.yaml',
        'patches:',
        '- target: {kind: Deployment, name: source-controller}',
        '  patch: |',
        '    - op: add',
        '      path: /spec/template/spec/containers/0/env/-',
        '      value: {name: HTTPS_PROXY, value: "http://proxy:3128"}',
        '',
      ].join('\n'),
    );
    const packed = await packComponents(
      options({ kustomization: join(dir, 'kustomization.yaml') }),
    );
    const env = deployment(packed.objects, 'source-controller').spec.template.spec.containers[0]
      .env;
    expect(env).toContainEqual({ name: 'HTTPS_PROXY', value: 'http://proxy:3128' });
    // The pre-apply step rebuilds the same objects from the pushed artifact alone.
    expect(unpackComponents(packed.artifact, 'flux-system')).toEqual(packed.objects);
  });

  test('the digest does not depend on the umask or the run', async () => {
    const first = await packComponents(options());
    const umask = process.umask(0o077);
    try {
      const second = await packComponents(options());
      expect(second.artifact.manifest.descriptor.digest).toBe(
        first.artifact.manifest.descriptor.digest,
      );
    } finally {
      process.umask(umask);
    }
  });

  test('another namespace puts the files under its name', async () => {
    const packed = await packComponents(options({ namespace: 'gitops' }));
    expect(() => unpackComponents(packed.artifact, 'flux-system')).toThrow(
      /has no flux-system\/gotk-components.yaml; was it built for namespace 'flux-system'/,
    );
    expect(unpackComponents(packed.artifact, 'gitops')).toEqual(packed.objects);
  });
});
