// RFC story 1 through `cdktf deploy` of the example app (stacks/story1-basic-auth.ts) with
// real OpenTofu (no provider needed), two TLS registries with basic auth and one user each
// (components, fleet), a real API server and the real Flux controllers; then a no-op redeploy, a tag moved by CI (story 4) that the next
// deploy leaves alone, and destroy.
import { packComponents } from '../../src/bootstrap/build-components.js';
import { resolveBootstrapOptions } from '../../src/bootstrap/options/resolve-options.js';
import { pushArtifact } from '../../src/oci/registry/push.js';
import { fluxArtifact } from '../support/artifacts.js';
import { enginesOf, prepareTerraform, type TerraformSetup } from './harness/terraform.js';
import { waitFor } from './harness/wait.js';
import { deployedStory1 } from './support/deployed-story1.js';
import { expectedPullSecretUse, readPullSecretUse } from './support/pull-secret.js';
import { readOrGone } from './support/read-or-gone.js';
import { STORY1_MANIFESTS, dockerConfigAuths, expectedAuths } from './support/story1.js';
import { requestReconcile } from './support/request-reconcile.js';

interface FluxObject {
  status?: {
    artifact?: { revision: string };
    lastAppliedRevision?: string;
    conditions?: { type: string; status: string; message: string }[];
  };
}

// OpenTofu always; Terraform too where the machine has it (required in CI: .ci/run), else
// its tests are reported as skipped by name.
const tf: TerraformSetup = await prepareTerraform();
const engines = enginesOf(tf);
if (engines.skipped)
  test.skip(`cdktf deploy of the story 1 example app with ${engines.skipped}`, () => {});

describe.each(engines.run)('cdktf deploy of the story 1 example app with %s', (_engine, binary) => {
  // Rotated in story 5; every password used is searched for in files and output.
  const user = { username: 'flux', password: 'cdktf-Secret-p4ss' };
  const fleetUser = { username: 'fleet-reader', password: 'cdktf-Fleet-p4ss' };
  const puller = { username: 'image-puller', password: 'cdktf-Pull-p4ss' };
  const p = deployedStory1({
    app: 'story1-basic-auth.ts',
    binary,
    tf,
    user,
    fleetUser,
    puller,
    workPrefix: 'flux-oci-cdktf-',
    // No provider: the deploy needs no lock file, nor the flag that skips it.
    skipProviderLock: false,
  });
  const registryHost = () => p.registries.components.host;
  const reconcile = (name: string) => requestReconcile(p.objects, name);

  test('one deploy bootstraps a fresh cluster', async () => {
    await p.deployFresh([]);

    const digest = await p.tagDigest();
    expect(digest).toMatch(/^sha256:/);
    const repo = await p.read('OCIRepository', 'source.toolkit.fluxcd.io/v1', 'flux-components');
    expect(repo.status?.artifact?.revision).toBe(`production@${digest}`);
    const ks = await p.read('Kustomization', 'kustomize.toolkit.fluxcd.io/v1', 'flux-components');
    expect(ks.status?.lastAppliedRevision).toBe(`production@${digest}`);
    const fleet = await p.read('Kustomization', 'kustomize.toolkit.fluxcd.io/v1', 'flux-system');
    expect(fleet.status?.conditions?.find((c) => c.type === 'Ready')?.status).toBe('True');
    const sa = await p.core.readNamespacedServiceAccount({
      name: 'kustomize-controller',
      namespace: 'flux-system',
    });
    expect(sa.metadata?.labels?.['kustomize.toolkit.fluxcd.io/name']).toBe('flux-components');
    // registryCreds: the image pull Secret, named by every controller Deployment.
    expect(await readPullSecretUse(p.core, p.objects)).toEqual(
      expectedPullSecretUse(puller, ['source-controller', 'kustomize-controller']),
    );
    // Story 1: each Secret holds its own registry and user, and Flux pulls each artifact
    // with it (each registry accepts only its own user).
    const expected = expectedAuths(p.registries);
    for (const name of ['flux-components', 'flux-system'] as const) {
      const secret = await p.core.readNamespacedSecret({ name, namespace: 'flux-system' });
      expect({ name, type: secret.type }).toEqual({ name, type: 'kubernetes.io/dockerconfigjson' });
      expect({ name, auths: dockerConfigAuths(secret.data) }).toEqual({
        name,
        auths: expected[name],
      });
      const source = (await p.read('OCIRepository', 'source.toolkit.fluxcd.io/v1', name)) as {
        spec?: { secretRef?: { name: string } };
        status?: FluxObject['status'];
      };
      expect({ name, secretRef: source.spec?.secretRef?.name }).toEqual({ name, secretRef: name });
      const ready = source.status?.conditions?.find((c) => c.type === 'Ready');
      // toEqual, so that a failure shows the controller's message next to the status.
      expect({ name, ready: ready?.status, message: ready?.message }).toEqual({
        name,
        ready: 'True',
        message: expect.any(String),
      });
    }
  }, 900_000);

  test('the fleet artifact CI pushes is applied at the cluster path', async () => {
    const fleet = fluxArtifact({
      'clusters/production/app.yaml':
        'apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: fleet-app\n  namespace: default\ndata:\n  from: fleet\n',
    });
    // CI pushes with the fleet registry's user (a registry here knows only one).
    await pushArtifact(`oci://${p.registries.fleet.host}/fleet/cluster:production`, fleet, {
      credentials: fleetUser,
      caFile: p.registries.caFile,
    });
    await reconcile('flux-system');
    const configMap = await waitFor(
      'the fleet ConfigMap',
      () => p.core.readNamespacedConfigMap({ name: 'fleet-app', namespace: 'default' }),
      120_000,
    ).catch((err: Error) => {
      throw new Error(`${err.message}${p.logs()}`);
    });
    expect(configMap.metadata?.labels?.['kustomize.toolkit.fluxcd.io/name']).toBe('flux-system');
  }, 180_000);

  test('a second deploy with the same inputs plans no changes', async () => {
    const result = await p.cdktf(['deploy', '--auto-approve']);
    if (result.code !== 0) throw new Error(result.output);
    await p.expectNoChanges('flux');
  }, 600_000);

  test('story 4: a tag moved by CI is not moved back by the next deploy', async () => {
    const url = `oci://${registryHost()}/flux/components:production`;
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
    await reconcile('flux-components');
    await waitFor(
      'Flux to apply the components CI pushed',
      async () => {
        const ks = await p.read(
          'Kustomization',
          'kustomize.toolkit.fluxcd.io/v1',
          'flux-components',
        );
        return ks.status?.lastAppliedRevision === `production@${moved}` ? true : undefined;
      },
      180_000,
    ).catch((err: Error) => {
      throw new Error(`${err.message}${p.logs()}`);
    });

    const result = await p.cdktf(['deploy', '--auto-approve']);
    if (result.code !== 0) throw new Error(result.output);
    expect(await p.tagDigest(url)).toBe(moved);
    await p.expectNoChanges('flux');
  }, 600_000);

  test("a wrong password fails the deploy with the registry's answer, and the right one recovers", async () => {
    // A rotation gone wrong: the revision raised (the secrets step runs), the password wrong.
    p.revisions.FLUX_OCI_PASSWORD_REVISION = '2';
    const wrong = await p.cdktf(['deploy', '--auto-approve'], {
      TF_VAR_oci_password: 'not-the-password',
    });
    expect(wrong.code).not.toBe(0);
    expect(wrong.output).toMatch(/rejected the credentials for user 'flux' \(401\)/);
    expect(wrong.output).not.toContain('not-the-password');
    const movedByCi = await p.tagDigest();
    const right = await p.cdktf(['deploy', '--auto-approve']);
    if (right.code !== 0) throw new Error(right.output);
    await p.expectNoChanges('flux');
    // Only the secrets step ran: the tag CI moved stays where it is.
    expect(await p.tagDigest()).toBe(movedByCi);
  }, 600_000);

  test('story 5: a rotated password rewrites only the Secrets, and Flux pulls with it', async () => {
    const url = `oci://${registryHost()}/flux/components:production`;
    const before = await p.tagDigest(url);
    user.password = 'rotated-Secret-p4ss-2';
    p.passwords.push(user.password);
    await p.registries.components.setPassword(user.password);
    // Nothing in the state is derived from the password: its revision says it changed.
    p.revisions.FLUX_OCI_PASSWORD_REVISION = '3';
    const result = await p.cdktf(['deploy', '--auto-approve']);
    if (result.code !== 0) throw new Error(result.output);
    expect(result.output).toMatch(/registry Secrets applied/);
    expect(await p.tagDigest(url)).toBe(before);
    const requestedAt = await reconcile('flux-components');
    await waitFor(
      'flux-components to pull with the new password',
      async () => {
        const repo = (await p.read(
          'OCIRepository',
          'source.toolkit.fluxcd.io/v1',
          'flux-components',
        )) as FluxObject & { status?: { lastHandledReconcileAt?: string } };
        const ready = repo.status?.conditions?.find((c) => c.type === 'Ready');
        if (repo.status?.lastHandledReconcileAt !== requestedAt) throw new Error('not handled yet');
        if (ready?.status !== 'True') throw new Error(ready?.message ?? 'not ready');
        return true;
      },
      120_000,
    ).catch((err: Error) => {
      throw new Error(`${err.message}${p.logs()}`);
    });
    await p.expectNoChanges('flux');
  }, 600_000);

  test('the passwords, the pull credentials and their base64 forms are in no file, state, output or process argument', () => {
    p.expectNoLeak(1);
  });

  test('destroy removes Flux in its order and leaves what Flux applied', async () => {
    const result = await p.cdktf(['destroy', '--auto-approve']);
    if (result.code !== 0) throw new Error(`${result.output}${p.logs()}`);
    await waitFor(
      'the flux-system namespace to be gone',
      async () => {
        const ns = await readOrGone(() => p.core.readNamespace({ name: 'flux-system' }));
        if (ns) throw new Error(`still there (${ns.status?.phase})`);
        return true;
      },
      120_000,
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
  }, 600_000);
});
