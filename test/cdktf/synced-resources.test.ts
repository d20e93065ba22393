import { App, TerraformStack, Testing } from 'cdktf';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Manifest } from '@cdktf/provider-kubernetes/lib/manifest/index.js';
import { NullProvider } from '@cdktf/provider-null/lib/provider/index.js';
import { Resource as NullResource } from '@cdktf/provider-null/lib/resource/index.js';
import {
  FluxBootstrapOci,
  type FluxBootstrapOciProps,
} from '../../src/cdktf/flux-bootstrap-oci.js';
import { UserError } from '../../src/errors.js';

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

  describe('providers: given to a resource of another stack than the sync stack', () => {
    let outdir: string;
    beforeEach(() => (outdir = mkdtempSync(join(tmpdir(), 'flux-oci-synced-'))));
    afterEach(() => rmSync(outdir, { recursive: true, force: true }));

    const ownStackLine =
      "a resource of stack 'cluster' has dependsOn: flux.syncedResources, but with rendering " +
      "'providers' they are in stack 'cluster-sync', deployed after 'cluster': put the resource " +
      "in a stack of its own that calls addDependency(flux.syncStack!), or give the construct rendering: 'terraform-data'";

    /** What app.synth() throws, as a user's program sees it. */
    function synthError(app: App): unknown {
      try {
        app.synth();
      } catch (err) {
        return err;
      }
      throw new Error('app.synth() did not fail');
    }

    it("the construct's own stack: app.synth() throws one line naming the mistake and the fix, not cdktf's circular dependency", () => {
      const app = new App({ outdir });
      const stack = new TerraformStack(app, 'cluster');
      const flux = new FluxBootstrapOci(stack, 'flux', props);
      new NullResource(stack, 'workload', { dependsOn: flux.syncedResources });
      const err = synthError(app) as Error;
      expect(err).toBeInstanceOf(UserError);
      // cdktf's resolver rewrites messages ("Resolution error: …" and creation stacks): not ours.
      expect(err.message).toBe(ownStackLine);
      expect(String(err.stack).split('\n')[0]).toBe(`UserError: ${ownStackLine}`);
    });

    it('a third stack: one line saying to depend on the sync stack (depends_on across stacks is refused by Terraform)', () => {
      const app = new App({ outdir });
      const flux = new FluxBootstrapOci(new TerraformStack(app, 'cluster'), 'flux', props);
      const apps = new TerraformStack(app, 'apps');
      new NullProvider(apps, 'null');
      new NullResource(apps, 'workload', { dependsOn: flux.syncedResources });
      const err = synthError(app) as Error;
      expect(err).toBeInstanceOf(UserError);
      expect(err.message).toBe(
        "a resource of stack 'apps' has dependsOn: flux.syncedResources, but they are in stack " +
          "'cluster-sync' and Terraform's depends_on names resources of its own stack only: drop it " +
          "and call addDependency(flux.syncStack!) on stack 'apps'",
      );
    });

    it('a third stack depending on the sync stack synthesizes, with no reference across stacks', () => {
      const app = new App({ outdir });
      const flux = new FluxBootstrapOci(new TerraformStack(app, 'cluster'), 'flux', props);
      const apps = new TerraformStack(app, 'apps');
      apps.addDependency(flux.syncStack!);
      new NullProvider(apps, 'null');
      new NullResource(apps, 'workload', {});
      new Manifest(flux.syncStack!, 'workload', {
        manifest: {
          apiVersion: 'v1',
          kind: 'ConfigMap',
          metadata: { name: 'w', namespace: 'apps' },
        },
        dependsOn: flux.syncedResources,
      });
      app.synth();
      const appsJson = JSON.parse(Testing.synth(apps));
      expect(appsJson.data?.terraform_remote_state).toBeUndefined();
      const sync = JSON.parse(Testing.synth(flux.syncStack!));
      expect(sync.resource.kubernetes_manifest.workload.depends_on).toContain(
        'terraform_data.wait',
      );
    });
  });
});
