// A CDKTF app for test/e2e/cdktf-synced-resources.test.ts: the providers rendering, with a
// workload given `dependsOn: flux.syncedResources` in the stack SYNCED_RESOURCES_IN names
// ('cluster', the construct's own; 'apps', a third stack; 'cluster-sync', the sync stack,
// the third stack then depending on it as the README says). Nothing is deployed.
import { NullProvider } from '@cdktf/provider-null/lib/provider/index.js';
import { Resource as NullResource } from '@cdktf/provider-null/lib/resource/index.js';
import { Manifest } from '@cdktf/provider-kubernetes/lib/manifest/index.js';
import { App, TerraformStack } from 'cdktf';
import { join } from 'node:path';
import { FluxBootstrapOci } from '../../../src/index.js';
import { repoRoot } from '../harness/tools.js';

const app = new App();
const cluster = new TerraformStack(app, 'cluster');
const flux = new FluxBootstrapOci(cluster, 'flux', {
  url: 'oci://ghcr.io/acme/flux-manifests:production',
  clusterUrl: 'oci://ghcr.io/acme/fleet:production',
  clusterPath: 'clusters/production',
  manifests: join(repoRoot, 'test', 'fixtures', 'flux-bundle'),
  kubeconfig: '/home/ci/.kube/config',
});
const apps = new TerraformStack(app, 'apps');
new NullProvider(apps, 'null');
switch (process.env.SYNCED_RESOURCES_IN) {
  case 'cluster':
    new NullResource(cluster, 'workload', { dependsOn: flux.syncedResources });
    break;
  case 'apps':
    new NullResource(apps, 'workload', { dependsOn: flux.syncedResources });
    break;
  case 'cluster-sync':
    new Manifest(flux.syncStack!, 'workload', {
      manifest: { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'w', namespace: 'apps' } },
      dependsOn: flux.syncedResources,
    });
    apps.addDependency(flux.syncStack!);
    new NullResource(apps, 'workload', {});
    break;
  default:
    throw new Error('internal: set SYNCED_RESOURCES_IN');
}
app.synth();
