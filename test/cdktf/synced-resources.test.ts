import { App, TerraformStack, Testing } from 'cdktf';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Manifest } from '@cdktf/provider-kubernetes/lib/manifest/index.js';
import { Resource as NullResource } from '@cdktf/provider-null/lib/resource/index.js';
import {
  FluxBootstrapOci,
  type FluxBootstrapOciProps,
} from '../../src/cdktf/flux-bootstrap-oci.js';

const root = join(dirname(fileURLToPath(import.meta.url)), '..', '..');
const props: FluxBootstrapOciProps = {
  url: 'oci://ghcr.io/acme/flux-manifests:production',
  clusterUrl: 'oci://ghcr.io/acme/fleet:production',
  clusterPath: 'clusters/production',
  manifests: join(root, 'test', 'fixtures', 'flux-bundle'),
  kubeconfig: '/home/ci/.kube/config',
};

describe('FluxBootstrapOci.syncedResources: workloads can wait for Flux being synced', () => {
  it('terraform-data: a resource depending on it waits for the sync step', () => {
    const stack = new TerraformStack(Testing.app() as App, 'cluster');
    const flux = new FluxBootstrapOci(stack, 'flux', { ...props, rendering: 'terraform-data' });
    new NullResource(stack, 'workload', { dependsOn: flux.syncedResources });
    const json = JSON.parse(Testing.synth(stack));
    const syncKey = Object.keys(json.resource.terraform_data).find((k) => k.includes('_sync_'));
    expect(syncKey).toBeDefined();
    expect(json.resource.null_resource.workload.depends_on).toEqual([`terraform_data.${syncKey}`]);
  });

  it('providers: a manifest in the sync stack depends on every OCIRepository and Kustomization and on the wait for them to be Ready', () => {
    const stack = new TerraformStack(Testing.app() as App, 'cluster');
    const flux = new FluxBootstrapOci(stack, 'flux', props);
    const syncStack = flux.syncStack!;
    const objects = flux.syncPlan.objects.map((o) => `${o.kind}/${o.metadata.name}`);
    const before = Object.keys(JSON.parse(Testing.synth(syncStack)).resource.kubernetes_manifest);
    expect(before).toHaveLength(objects.length);
    new Manifest(syncStack, 'workload', {
      manifest: { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'w', namespace: 'apps' } },
      dependsOn: flux.syncedResources,
    });
    const json = JSON.parse(Testing.synth(syncStack));
    // The manifests no longer wait themselves: the wait step does (its message names the fix).
    expect([...json.resource.kubernetes_manifest.workload.depends_on].sort()).toEqual(
      [...before.map((key) => `kubernetes_manifest.${key}`), 'terraform_data.wait'].sort(),
    );
  });
});
