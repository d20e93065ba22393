// Issue 10: the construct's provider rendering (stacks/story1-providers.ts) through the real
// `cdktf deploy` with OpenTofu and with Terraform, the hashicorp/kubernetes and hashicorp/null
// providers from the harness's offline mirror, two TLS registries with basic auth, a real
// API server and the real Flux controllers: one deploy of both stacks bootstraps a fresh
// cluster; a second plans no change; drift of the sync objects shows in the plan and is
// restored; a tag moved by CI stays (story 4); a rotated password rewrites only the
// Secrets (story 5) and is found nowhere; destroy removes Flux and leaves the fleet.
import { PatchStrategy } from '@kubernetes/client-node';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { packComponents } from '../../src/bootstrap/build-components.js';
import { resolveBootstrapOptions } from '../../src/bootstrap/options/resolve-options.js';
import { pushArtifact } from '../../src/oci/registry/push.js';
import { fluxArtifact } from '../support/artifacts.js';
import { enginesOf, prepareTerraform, type TerraformSetup } from './harness/terraform.js';
import { waitFor } from './harness/wait.js';
import { COMMAND_TIMEOUT, deployedStory1 } from './support/deployed-story1.js';
import { expectedPullSecretUse, readPullSecretUse } from './support/pull-secret.js';
import { readOrGone } from './support/read-or-gone.js';
import { requestReconcile } from './support/request-reconcile.js';
import { STORY1_MANIFESTS, dockerConfigAuths, expectedAuths } from './support/story1.js';

interface FluxObject {
  spec?: { interval?: string };
  status?: {
    artifact?: { revision: string };
    lastAppliedRevision?: string;
    lastHandledReconcileAt?: string;
    conditions?: { type: string; status: string; message: string }[];
  };
}

const tf: TerraformSetup = await prepareTerraform({
  require: ['hashicorp/kubernetes', 'hashicorp/null'],
});
const engines = enginesOf(tf);
if (engines.skipped)
  test.skip(`cdktf deploy of the provider rendering with ${engines.skipped}`, () => {});

const STACKS = ['flux', 'flux-sync'] as const;
const SOURCE = 'source.toolkit.fluxcd.io/v1';
const KUSTOMIZE = 'kustomize.toolkit.fluxcd.io/v1';

describe.each(engines.run)('cdktf deploy of the provider rendering with %s', (_engine, binary) => {
  const user = { username: 'flux', password: `prov-Secret-p4ss-${_engine}` };
  const fleetUser = { username: 'fleet-reader', password: `prov-Fleet-p4ss-${_engine}` };
  const puller = { username: 'image-puller', password: `prov-Pull-p4ss-${_engine}` };
  const p = deployedStory1({
    app: 'story1-providers.ts',
    binary,
    tf,
    user,
    fleetUser,
    puller,
    workPrefix: 'flux-oci-cdktf-providers-',
  });
  const componentsTag = () => `oci://${p.registries.components.host}/flux/components:production`;
  const mustDeploy = () => p.mustDeploy(STACKS);
  const plan = (stack: string) => p.engine(stack, ['plan', '-detailed-exitcode', '-input=false']);
  const read = (kind: string, apiVersion: string, name: string) =>
    p.read(kind, apiVersion, name) as Promise<FluxObject>;
  const synthesizedDigest = (): string => {
    const json = JSON.parse(
      readFileSync(join(p.work, 'cdktf.out', 'stacks', 'flux', 'cdk.tf.json'), 'utf8'),
    ) as { resource: { null_resource: Record<string, { triggers: { digest: string } }> } };
    return Object.values(json.resource.null_resource)[0].triggers.digest;
  };
  const resourcesIn = async (stack: string): Promise<string[]> => {
    const list = await p.engine(stack, ['state', 'list']);
    if (list.code !== 0) throw new Error(list.output);
    return list.output
      .split('\n')
      .filter((l) => /^(data\.)?[a-z0-9_]+\.[\w-]+$/.test(l))
      .map((l) => l.replace(/_[0-9A-F]{8}$/, ''))
      .sort();
  };

  test(
    'one deploy of both stacks bootstraps a fresh cluster with real Kubernetes resources',
    async () => {
      // The controllers start once the pre-apply step has made their kinds served, as their
      // Deployments would.
      await p.deployFresh(STACKS);

      expect(await resourcesIn('flux')).toEqual([
        'data.kubernetes_namespace_v1.flux_kube-system',
        'kubernetes_secret_v1.flux_ca-secret',
        'kubernetes_secret_v1.flux_cluster-secret',
        'kubernetes_secret_v1.flux_components-secret',
        'kubernetes_secret_v1.flux_image-pull-secret',
        'null_resource.flux_pre-apply',
        'terraform_data.flux_uninstall',
      ]);
      expect(await resourcesIn('flux-sync')).toEqual([
        'kubernetes_manifest.kustomization-flux-components',
        'kubernetes_manifest.kustomization-flux-system',
        'kubernetes_manifest.ocirepository-flux-components',
        'kubernetes_manifest.ocirepository-flux-system',
        'terraform_data.wait',
      ]);

      // Ready at the tag and the digest the pre-apply step pushed (the one in the plan).
      const digest = synthesizedDigest();
      expect(await p.tagDigest(componentsTag())).toBe(digest);
      const repo = await read('OCIRepository', SOURCE, 'flux-components');
      expect(repo.status?.artifact?.revision).toBe(`production@${digest}`);
      const ks = await read('Kustomization', KUSTOMIZE, 'flux-components');
      expect(ks.status?.lastAppliedRevision).toBe(`production@${digest}`);
      const sa = await p.core.readNamespacedServiceAccount({
        name: 'kustomize-controller',
        namespace: 'flux-system',
      });
      expect(sa.metadata?.labels?.['kustomize.toolkit.fluxcd.io/name']).toBe('flux-components');
      // registryCreds: the image pull Secret, named by every controller Deployment.
      expect(await readPullSecretUse(p.core, p.objects)).toEqual(
        expectedPullSecretUse(puller, ['source-controller', 'kustomize-controller']),
      );
      const expected = expectedAuths(p.registries);
      for (const name of ['flux-components', 'flux-system'] as const) {
        const secret = await p.core.readNamespacedSecret({ name, namespace: 'flux-system' });
        expect({ name, auths: dockerConfigAuths(secret.data) }).toEqual({
          name,
          auths: expected[name],
        });
        const ready = (await read('OCIRepository', SOURCE, name)).status?.conditions?.find(
          (c) => c.type === 'Ready',
        );
        expect({ name, ready: ready?.status, message: ready?.message }).toEqual({
          name,
          ready: 'True',
          message: expect.any(String),
        });
      }
    },
    3 * COMMAND_TIMEOUT,
  );

  test('the fleet artifact CI pushes is applied at the cluster path', async () => {
    const fleet = fluxArtifact({
      'clusters/production/app.yaml':
        'apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: fleet-app\n  namespace: default\ndata:\n  from: fleet\n',
    });
    await pushArtifact(`oci://${p.registries.fleet.host}/fleet/cluster:production`, fleet, {
      credentials: fleetUser,
      caFile: p.registries.caFile,
    });
    await requestReconcile(p.objects, 'flux-system');
    await waitFor(
      'the fleet ConfigMap',
      () => p.core.readNamespacedConfigMap({ name: 'fleet-app', namespace: 'default' }),
      180_000,
    ).catch((err: Error) => {
      throw new Error(`${err.message}${p.logs()}`);
    });
  }, 240_000);

  test(
    'a second deploy plans no changes in either stack',
    async () => {
      await mustDeploy();
      for (const stack of STACKS) await p.expectNoChanges(stack);
    },
    3 * COMMAND_TIMEOUT,
  );

  test(
    'drift: a deleted OCIRepository and an edited Kustomization show in the plan, and the next deploy restores them',
    async () => {
      await p.objects.delete({
        apiVersion: SOURCE,
        kind: 'OCIRepository',
        metadata: { name: 'flux-system', namespace: 'flux-system' },
      });
      await waitFor(
        'the flux-system OCIRepository to be gone',
        async () =>
          (await readOrGone(() => read('OCIRepository', SOURCE, 'flux-system'))) ? undefined : true,
        120_000,
      );
      await p.objects.patch(
        {
          apiVersion: KUSTOMIZE,
          kind: 'Kustomization',
          metadata: { name: 'flux-system', namespace: 'flux-system' },
          spec: { interval: '7m' },
        },
        undefined,
        undefined,
        'drift-test',
        undefined,
        PatchStrategy.MergePatch,
      );
      const drift = await plan('flux-sync');
      expect(drift.code).toBe(2);
      expect(drift.output).toMatch(
        /kubernetes_manifest\.ocirepository-flux-system will be created/,
      );
      expect(drift.output).toMatch(
        /kubernetes_manifest\.kustomization-flux-system will be updated in-place/,
      );
      await mustDeploy();
      const restored = await read('OCIRepository', SOURCE, 'flux-system');
      expect(restored.status?.conditions?.find((c) => c.type === 'Ready')?.status).toBe('True');
      expect((await read('Kustomization', KUSTOMIZE, 'flux-system')).spec?.interval).toBe('1h');
      for (const stack of STACKS) await p.expectNoChanges(stack);
    },
    3 * COMMAND_TIMEOUT,
  );

  test(
    'story 4: a tag moved by CI is not moved back by the next deploy',
    async () => {
      const url = componentsTag();
      const options = resolveBootstrapOptions({
        url,
        manifests: STORY1_MANIFESTS,
        version: 'v2.9.5',
        components: ['source-controller', 'kustomize-controller'],
        logLevel: 'debug',
      });
      const { artifact } = await packComponents(options);
      await pushArtifact(url, artifact, { credentials: user, caFile: p.registries.caFile });
      const moved = artifact.manifest.descriptor.digest;
      await requestReconcile(p.objects, 'flux-components');
      await waitFor(
        'Flux to apply the components CI pushed',
        async () =>
          (await read('Kustomization', KUSTOMIZE, 'flux-components')).status
            ?.lastAppliedRevision === `production@${moved}`
            ? true
            : undefined,
        180_000,
      ).catch((err: Error) => {
        throw new Error(`${err.message}${p.logs()}`);
      });
      await mustDeploy();
      expect(await p.tagDigest(url)).toBe(moved);
      for (const stack of STACKS) await p.expectNoChanges(stack);
    },
    3 * COMMAND_TIMEOUT,
  );

  test(
    'a password the registry refuses fails the deploy in one line naming the Secret and passwordRevision; the right one recovers',
    async () => {
      // The revision raised, the password wrong: Terraform writes it into the Secret (it
      // cannot check it), and the wait sees Flux refused.
      p.revisions.FLUX_OCI_PASSWORD_REVISION = '2';
      const wrong = await p.deploy(STACKS, {
        TF_VAR_oci_password: 'not-the-password',
      });
      expect(wrong.code).not.toBe(0);
      expect(wrong.output).toMatch(
        /✗ OCIRepository flux-system\/flux-components: the registry refused the credentials in Secret flux-system\/flux-components \([^\n]*(UNAUTHORIZED|authentication required)[^\n]*\): give the registry's current password and raise passwordRevision \(now 2\) so the next deploy rewrites the Secret\n/,
      );
      expect(wrong.output).not.toMatch(/timed out/);
      expect(wrong.output).not.toContain('not-the-password');
      p.passwords.push('not-the-password');

      p.revisions.FLUX_OCI_PASSWORD_REVISION = '3';
      await mustDeploy();
      for (const stack of STACKS) await p.expectNoChanges(stack);
    },
    3 * COMMAND_TIMEOUT,
  );

  test(
    'story 5: a rotated password with its revision raised rewrites only the Secret, and Flux pulls with it',
    async () => {
      const before = await p.tagDigest(componentsTag());
      user.password = `prov-rotated-p4ss-${_engine}`;
      p.passwords.push(user.password);
      await p.registries.components.setPassword(user.password);
      p.revisions.FLUX_OCI_PASSWORD_REVISION = '4';
      const synth = await p.cdktf(['synth']);
      if (synth.code !== 0) throw new Error(synth.output);
      const changes = await p.engine('flux', ['plan', '-input=false']);
      expect(changes.output).toMatch(
        /kubernetes_secret_v1\.flux_components-secret_[0-9A-F]{8} will be updated in-place/,
      );
      expect(changes.output).toMatch(/Plan: 0 to add, 1 to change, 0 to destroy/);
      // In the sync stack, only the wait runs again: Flux must pull with the new Secret.
      const wait = await p.engine('flux-sync', ['plan', '-input=false']);
      expect(wait.output).toMatch(/terraform_data\.wait must be replaced/);
      expect(wait.output).toMatch(/Plan: 1 to add, 0 to change, 1 to destroy/);

      await mustDeploy();
      expect(await p.tagDigest(componentsTag())).toBe(before);
      const secret = await p.core.readNamespacedSecret({
        name: 'flux-components',
        namespace: 'flux-system',
      });
      expect(dockerConfigAuths(secret.data)).toEqual(
        expectedAuths(p.registries)['flux-components'],
      );
      const requestedAt = await requestReconcile(p.objects, 'flux-components');
      await waitFor(
        'flux-components to pull with the new password',
        async () => {
          const repo = await read('OCIRepository', SOURCE, 'flux-components');
          const ready = repo.status?.conditions?.find((c) => c.type === 'Ready');
          if (repo.status?.lastHandledReconcileAt !== requestedAt)
            throw new Error('not handled yet');
          if (ready?.status !== 'True') throw new Error(ready?.message ?? 'not ready');
          return true;
        },
        180_000,
      ).catch((err: Error) => {
        throw new Error(`${err.message}${p.logs()}`);
      });
      for (const stack of STACKS) await p.expectNoChanges(stack);
    },
    3 * COMMAND_TIMEOUT,
  );

  test('the passwords, the pull credentials and their base64 forms are in no file, state, output or process argument', () => {
    p.expectNoLeak(2);
  });

  test(
    'destroy of both stacks removes Flux in its order and leaves what Flux applied',
    async () => {
      const result = await p.cdktf([
        'destroy',
        ...STACKS,
        '--auto-approve',
        '--skip-provider-lock',
      ]);
      if (result.code !== 0) throw new Error(`${result.output}${p.logs()}`);
      await waitFor(
        'the flux-system namespace to be gone',
        async () => {
          const ns = await readOrGone(() => p.core.readNamespace({ name: 'flux-system' }));
          if (ns) throw new Error(`still there (${ns.status?.phase})`);
          return true;
        },
        180_000,
      );
      const crd = await readOrGone(() =>
        p.objects.read({
          apiVersion: 'apiextensions.k8s.io/v1',
          kind: 'CustomResourceDefinition',
          metadata: { name: 'kustomizations.kustomize.toolkit.fluxcd.io' },
        }),
      );
      expect(crd).toBeUndefined();
      const app = await p.core.readNamespacedConfigMap({ name: 'fleet-app', namespace: 'default' });
      expect(app.data).toEqual({ from: 'fleet' });
    },
    2 * COMMAND_TIMEOUT,
  );
});
