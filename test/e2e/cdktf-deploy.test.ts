// RFC story 1 through `cdktf deploy` of the example app (stacks/story1-basic-auth.ts) with
// real OpenTofu (no provider needed), two TLS registries with basic auth and one user each
// (components, fleet), a real API server and the real Flux controllers; then a no-op redeploy, a tag moved by CI (story 4) that the next
// deploy leaves alone, and destroy.
import { CoreV1Api, KubeConfig, KubernetesObjectApi } from '@kubernetes/client-node';
import { execFile } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { packComponents } from '../../src/bootstrap/build-components.js';
import { resolveBootstrapOptions } from '../../src/bootstrap/options/resolve-options.js';
import { pushArtifact } from '../../src/oci/registry/push.js';
import { resolveArtifact } from '../../src/oci/registry/resolve.js';
import { fluxArtifact } from '../support/artifacts.js';
import type { TestRegistry } from '../support/registry.js';
import { startCluster, type Cluster } from './harness/cluster.js';
import { startFlux, type Flux } from './harness/flux.js';
import { tail } from './harness/process.js';
import { START_TIMEOUT, STOP_TIMEOUT, teardown } from './harness/teardown.js';
import { enginesOf, prepareTerraform, type TerraformSetup } from './harness/terraform.js';
import { waitFor } from './harness/wait.js';
import { runCdktf, writeCdktfProject, type CdktfResult } from './support/cdktf-cli.js';
import { readOrGone } from './support/read-or-gone.js';
import {
  STORY1_MANIFESTS,
  dockerConfigAuths,
  expectedAuths,
  startStory1Registries,
  story1AppEnv,
  type Story1Registries,
} from './support/story1.js';
import { requestReconcile } from './support/request-reconcile.js';

const run = promisify(execFile);

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
  const passwords = [user.password, fleetUser.password];
  let registries: Story1Registries;
  /** The components registry (its user: `user`). */
  let registry: TestRegistry;
  let cluster: Cluster;
  let flux: Flux | undefined;
  let work: string;
  let objects: KubernetesObjectApi;
  let core: CoreV1Api;
  const outputs: string[] = [];

  // Raised in story 5 with the rotated password, as the pipeline would.
  const revisions: NodeJS.ProcessEnv = {};
  const env = (): NodeJS.ProcessEnv => ({
    ...story1AppEnv(registries, cluster, binary, tf.env),
    ...revisions,
  });

  const cdktf = async (args: string[]): Promise<CdktfResult> => {
    const result = await runCdktf(work, args, env());
    outputs.push(result.output);
    return result;
  };
  const logs = () =>
    flux
      ? `\nsource-controller:\n${tail(flux.logs.sourceController)}\nkustomize-controller:\n${tail(flux.logs.kustomizeController)}`
      : '';
  const read = (kind: string, apiVersion: string, name: string) =>
    objects.read({
      apiVersion,
      kind,
      metadata: { name, namespace: 'flux-system' },
    }) as unknown as Promise<FluxObject>;
  const tagDigest = async (url: string) =>
    (
      await resolveArtifact(url, {
        credentials: user,
        caFile: registry.caFile,
      })
    )?.digest;
  const reconcile = (name: string) => requestReconcile(objects, name);
  /** `tofu plan -detailed-exitcode` in a synthesized stack: 0 means no changes. */
  const planExitCode = async (stack: string): Promise<number> => {
    try {
      await run(binary, ['plan', '-detailed-exitcode', '-input=false', '-no-color'], {
        cwd: join(work, 'cdktf.out', 'stacks', stack),
        env: { ...process.env, ...env() },
      });
      return 0;
    } catch (err) {
      const failure = err as { code?: number; stdout?: string; stderr?: string };
      outputs.push(`${failure.stdout ?? ''}${failure.stderr ?? ''}`);
      if (failure.code === 2) return 2;
      throw new Error(`plan of ${stack} failed: ${failure.stderr}`, { cause: err });
    }
  };

  beforeAll(async () => {
    registries = await startStory1Registries(user, fleetUser);
    registry = registries.components;
    cluster = await startCluster();
    const kc = new KubeConfig();
    kc.loadFromFile(cluster.kubeconfigPath);
    objects = KubernetesObjectApi.makeApiClient(kc);
    core = kc.makeApiClient(CoreV1Api);
    work = mkdtempSync(join(tmpdir(), 'flux-oci-cdktf-'));
    writeCdktfProject(work, 'story1-basic-auth.ts');
  }, START_TIMEOUT);

  afterAll(async () => {
    await teardown({
      flux,
      cluster,
      registries,
      work: () => (work ? rmSync(work, { recursive: true, force: true }) : undefined),
    });
  }, STOP_TIMEOUT);

  test('one deploy bootstraps a fresh cluster', async () => {
    const deploy = cdktf(['deploy', '--auto-approve']);
    // The controllers start once the bootstrap has made their kinds served, as their
    // Deployments would.
    flux = await startFlux(cluster, { installCrds: false, crdTimeoutMs: 600_000 }).catch(
      async (err: Error) => {
        const result = await deploy;
        throw new Error(`${err.message}\n${result.output}`);
      },
    );
    const result = await deploy;
    if (result.code !== 0)
      throw new Error(`cdktf deploy exited ${result.code}\n${result.output}${logs()}`);

    const digest = await tagDigest(`oci://${registry.host}/flux/components:production`);
    expect(digest).toMatch(/^sha256:/);
    const repo = await read('OCIRepository', 'source.toolkit.fluxcd.io/v1', 'flux-components');
    expect(repo.status?.artifact?.revision).toBe(`production@${digest}`);
    const ks = await read('Kustomization', 'kustomize.toolkit.fluxcd.io/v1', 'flux-components');
    expect(ks.status?.lastAppliedRevision).toBe(`production@${digest}`);
    const fleet = await read('Kustomization', 'kustomize.toolkit.fluxcd.io/v1', 'flux-system');
    expect(fleet.status?.conditions?.find((c) => c.type === 'Ready')?.status).toBe('True');
    const sa = await core.readNamespacedServiceAccount({
      name: 'kustomize-controller',
      namespace: 'flux-system',
    });
    expect(sa.metadata?.labels?.['kustomize.toolkit.fluxcd.io/name']).toBe('flux-components');
    // Story 1: each Secret holds its own registry and user, and Flux pulls each artifact
    // with it (each registry accepts only its own user).
    const expected = expectedAuths(registries);
    for (const name of ['flux-components', 'flux-system'] as const) {
      const secret = await core.readNamespacedSecret({ name, namespace: 'flux-system' });
      expect({ name, type: secret.type }).toEqual({ name, type: 'kubernetes.io/dockerconfigjson' });
      expect({ name, auths: dockerConfigAuths(secret.data) }).toEqual({
        name,
        auths: expected[name],
      });
      const source = (await read('OCIRepository', 'source.toolkit.fluxcd.io/v1', name)) as {
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
    await pushArtifact(`oci://${registries.fleet.host}/fleet/cluster:production`, fleet, {
      credentials: fleetUser,
      caFile: registries.caFile,
    });
    await reconcile('flux-system');
    const configMap = await waitFor(
      'the fleet ConfigMap',
      () => core.readNamespacedConfigMap({ name: 'fleet-app', namespace: 'default' }),
      120_000,
    ).catch((err: Error) => {
      throw new Error(`${err.message}${logs()}`);
    });
    expect(configMap.metadata?.labels?.['kustomize.toolkit.fluxcd.io/name']).toBe('flux-system');
  }, 180_000);

  test('a second deploy with the same inputs plans no changes', async () => {
    const result = await cdktf(['deploy', '--auto-approve']);
    if (result.code !== 0) throw new Error(result.output);
    expect(await planExitCode('flux')).toBe(0);
  }, 600_000);

  test('story 4: a tag moved by CI is not moved back by the next deploy', async () => {
    const url = `oci://${registry.host}/flux/components:production`;
    const options = resolveBootstrapOptions({
      url,
      manifests: STORY1_MANIFESTS,
      version: 'v2.9.5',
      components: ['source-controller', 'kustomize-controller'],
      logLevel: 'debug',
    });
    const { artifact } = await packComponents(options);
    await pushArtifact(url, artifact, { credentials: user, caFile: registry.caFile });
    const moved = artifact.manifest.descriptor.digest;
    await reconcile('flux-components');
    await waitFor(
      'Flux to apply the components CI pushed',
      async () => {
        const ks = await read('Kustomization', 'kustomize.toolkit.fluxcd.io/v1', 'flux-components');
        return ks.status?.lastAppliedRevision === `production@${moved}` ? true : undefined;
      },
      180_000,
    ).catch((err: Error) => {
      throw new Error(`${err.message}${logs()}`);
    });

    const result = await cdktf(['deploy', '--auto-approve']);
    if (result.code !== 0) throw new Error(result.output);
    expect(await tagDigest(url)).toBe(moved);
    expect(await planExitCode('flux')).toBe(0);
  }, 600_000);

  test("a wrong password fails the deploy with the registry's answer, and the right one recovers", async () => {
    // A rotation gone wrong: the revision raised (the secrets step runs), the password wrong.
    revisions.FLUX_OCI_PASSWORD_REVISION = '2';
    const wrong = await runCdktf(work, ['deploy', '--auto-approve'], {
      ...env(),
      TF_VAR_oci_password: 'not-the-password',
    });
    expect(wrong.code).not.toBe(0);
    expect(wrong.output).toMatch(/rejected the credentials for user 'flux' \(401\)/);
    expect(wrong.output).not.toContain('not-the-password');
    const movedByCi = await tagDigest(`oci://${registry.host}/flux/components:production`);
    const right = await cdktf(['deploy', '--auto-approve']);
    if (right.code !== 0) throw new Error(right.output);
    expect(await planExitCode('flux')).toBe(0);
    // Only the secrets step ran: the tag CI moved stays where it is.
    expect(await tagDigest(`oci://${registry.host}/flux/components:production`)).toBe(movedByCi);
  }, 600_000);

  test('story 5: a rotated password rewrites only the Secrets, and Flux pulls with it', async () => {
    const url = `oci://${registry.host}/flux/components:production`;
    const before = await tagDigest(url);
    user.password = 'rotated-Secret-p4ss-2';
    passwords.push(user.password);
    await registry.setPassword(user.password);
    // Nothing in the state is derived from the password: its revision says it changed.
    revisions.FLUX_OCI_PASSWORD_REVISION = '3';
    const result = await cdktf(['deploy', '--auto-approve']);
    if (result.code !== 0) throw new Error(result.output);
    expect(result.output).toMatch(/registry Secrets applied/);
    expect(await tagDigest(url)).toBe(before);
    const requestedAt = await reconcile('flux-components');
    await waitFor(
      'flux-components to pull with the new password',
      async () => {
        const repo = (await read(
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
      throw new Error(`${err.message}${logs()}`);
    });
    expect(await planExitCode('flux')).toBe(0);
  }, 600_000);

  test('the passwords are in no synthesized file, state file or output', () => {
    const files: string[] = [];
    const walk = (dir: string) => {
      for (const name of readdirSync(dir)) {
        const path = join(dir, name);
        if (name === '.terraform') continue; // provider binaries
        if (statSync(path).isDirectory()) walk(path);
        else files.push(path);
      }
    };
    walk(work);
    expect(files.some((f) => f.endsWith('.tfstate'))).toBe(true);
    for (const file of files) {
      const text = readFileSync(file, 'utf8');
      expect({ file, leaked: passwords.some((p) => text.includes(p)) }).toEqual({
        file,
        leaked: false,
      });
    }
    for (const password of passwords) expect(outputs.join('\n')).not.toContain(password);
  });

  test('destroy removes Flux in its order and leaves what Flux applied', async () => {
    const result = await cdktf(['destroy', '--auto-approve']);
    if (result.code !== 0) throw new Error(`${result.output}${logs()}`);
    await waitFor(
      'the flux-system namespace to be gone',
      async () => {
        const ns = await readOrGone(() => core.readNamespace({ name: 'flux-system' }));
        if (ns) throw new Error(`still there (${ns.status?.phase})`);
        return true;
      },
      120_000,
    );
    const crd = await readOrGone(() =>
      objects.read({
        apiVersion: 'apiextensions.k8s.io/v1',
        kind: 'CustomResourceDefinition',
        metadata: { name: 'kustomizations.kustomize.toolkit.fluxcd.io' },
      }),
    );
    expect(crd).toBeUndefined();
    const app = await core.readNamespacedConfigMap({ name: 'fleet-app', namespace: 'default' });
    expect(app.data).toEqual({ from: 'fleet' });
  }, 600_000);
});
