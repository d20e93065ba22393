// Issue 10: the construct's provider rendering (stacks/story1-providers.ts) through the real
// `cdktf deploy` with OpenTofu and with Terraform, the hashicorp/kubernetes and hashicorp/null
// providers from the harness's offline mirror, two TLS registries with basic auth, a real
// API server and the real Flux controllers: one deploy of both stacks bootstraps a fresh
// cluster; a second plans no change; drift of the sync objects shows in the plan and is
// restored; a tag moved by CI stays (story 4); a rotated password rewrites only the
// Secrets (story 5) and is found nowhere; destroy removes Flux and leaves the fleet.
import { CoreV1Api, KubeConfig, KubernetesObjectApi, PatchStrategy } from '@kubernetes/client-node';
import { execFile } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { packComponents } from '../../src/bootstrap/build-components.js';
import { resolveBootstrapOptions } from '../../src/bootstrap/options/resolve-options.js';
import { pushArtifact } from '../../src/oci/registry/push.js';
import { resolveArtifact } from '../../src/oci/registry/resolve.js';
import { fluxArtifact } from '../support/artifacts.js';
import { startCluster, type Cluster } from './harness/cluster.js';
import { startFlux, type Flux } from './harness/flux.js';
import { tail } from './harness/process.js';
import { START_TIMEOUT, STOP_TIMEOUT, teardown } from './harness/teardown.js';
import { enginesOf, prepareTerraform, type TerraformSetup } from './harness/terraform.js';
import { waitFor } from './harness/wait.js';
import { runCdktf, writeCdktfProject, type CdktfResult } from './support/cdktf-cli.js';
import { readOrGone } from './support/read-or-gone.js';
import { requestReconcile } from './support/request-reconcile.js';
import {
  STORY1_MANIFESTS,
  dockerConfigAuths,
  expectedAuths,
  startStory1Registries,
  story1AppEnv,
  type Story1Registries,
} from './support/story1.js';

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

/** What one engine command can take on a loaded 2-core machine. */
const COMMAND_TIMEOUT = 10 * 60 * 1000;
const STACKS = ['flux', 'flux-sync'] as const;
const SOURCE = 'source.toolkit.fluxcd.io/v1';
const KUSTOMIZE = 'kustomize.toolkit.fluxcd.io/v1';

describe.each(engines.run)('cdktf deploy of the provider rendering with %s', (_engine, binary) => {
  const user = { username: 'flux', password: `prov-Secret-p4ss-${_engine}` };
  const fleetUser = { username: 'fleet-reader', password: `prov-Fleet-p4ss-${_engine}` };
  const passwords = [user.password, fleetUser.password];
  let registries: Story1Registries;
  let cluster: Cluster;
  let flux: Flux | undefined;
  let work: string;
  let objects: KubernetesObjectApi;
  let core: CoreV1Api;
  const outputs: string[] = [];
  /** Every process's arguments seen while an engine ran. */
  const argvSeen = new Set<string>();
  const revisions: NodeJS.ProcessEnv = {};
  const env = (): NodeJS.ProcessEnv => ({
    ...story1AppEnv(registries, cluster, binary, tf.env),
    ...revisions,
  });
  const componentsTag = () => `oci://${registries.components.host}/flux/components:production`;

  /** Samples /proc while `during` runs: a password in any process's arguments is a leak. */
  const sampleArgv = async <T>(during: Promise<T>): Promise<T> => {
    let done = false;
    const sampling = (async () => {
      while (!done) {
        for (const pid of readdirSync('/proc').filter((p) => /^\d+$/.test(p))) {
          try {
            argvSeen.add(readFileSync(`/proc/${pid}/cmdline`, 'utf8').replace(/\0/g, ' '));
          } catch {
            // gone meanwhile
          }
        }
        await new Promise((r) => setTimeout(r, 100));
      }
    })();
    try {
      return await during;
    } finally {
      done = true;
      await sampling;
    }
  };
  const cdktf = async (args: string[], extra: NodeJS.ProcessEnv = {}): Promise<CdktfResult> => {
    const result = await sampleArgv(runCdktf(work, args, { ...env(), ...extra }));
    outputs.push(result.output);
    return result;
  };
  // Offline: cdktf would otherwise run `providers lock`, which asks the registry for hashes.
  const deploy = () => cdktf(['deploy', ...STACKS, '--auto-approve', '--skip-provider-lock']);
  /** The engine itself in a synthesized stack's directory. */
  const engine = (stack: string, args: string[]): Promise<{ code: number; output: string }> =>
    sampleArgv(
      new Promise((resolve) => {
        execFile(
          binary,
          [...args, '-no-color'],
          {
            cwd: join(work, 'cdktf.out', 'stacks', stack),
            env: { ...process.env, ...env() },
            maxBuffer: 64 * 1024 * 1024,
            timeout: COMMAND_TIMEOUT,
          },
          (err, stdout, stderr) => {
            const output = `${stdout}${stderr}`;
            outputs.push(output);
            resolve({ code: err ? (typeof err.code === 'number' ? err.code : -1) : 0, output });
          },
        );
      }),
    );
  const plan = (stack: string) => engine(stack, ['plan', '-detailed-exitcode', '-input=false']);
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
    (await resolveArtifact(url, { credentials: user, caFile: registries.caFile }))?.digest;
  const synthesizedDigest = (): string => {
    const json = JSON.parse(
      readFileSync(join(work, 'cdktf.out', 'stacks', 'flux', 'cdk.tf.json'), 'utf8'),
    ) as { resource: { null_resource: Record<string, { triggers: { digest: string } }> } };
    return Object.values(json.resource.null_resource)[0].triggers.digest;
  };
  const resourcesIn = async (stack: string): Promise<string[]> => {
    const list = await engine(stack, ['state', 'list']);
    if (list.code !== 0) throw new Error(list.output);
    return list.output
      .split('\n')
      .filter((l) => /^(data\.)?[a-z0-9_]+\.[\w-]+$/.test(l))
      .map((l) => l.replace(/_[0-9A-F]{8}$/, ''))
      .sort();
  };
  const expectNoChanges = async (stack: string) => {
    const result = await plan(stack);
    expect({ stack, plan: result.code === 0 ? 'no changes' : result.output }).toEqual({
      stack,
      plan: 'no changes',
    });
  };
  const mustDeploy = async () => {
    const result = await deploy();
    if (result.code !== 0)
      throw new Error(`cdktf deploy exited ${result.code}\n${result.output}${logs()}`);
    return result;
  };

  beforeAll(async () => {
    registries = await startStory1Registries(user, fleetUser);
    cluster = await startCluster();
    const kc = new KubeConfig();
    kc.loadFromFile(cluster.kubeconfigPath);
    objects = KubernetesObjectApi.makeApiClient(kc);
    core = kc.makeApiClient(CoreV1Api);
    work = mkdtempSync(join(tmpdir(), 'flux-oci-cdktf-providers-'));
    writeCdktfProject(work, 'story1-providers.ts');
  }, START_TIMEOUT);

  afterAll(async () => {
    await teardown({
      flux,
      cluster,
      registries,
      work: () =>
        work && !process.env.FLUX_OCI_KEEP_HARNESS
          ? rmSync(work, { recursive: true, force: true })
          : undefined,
    });
  }, STOP_TIMEOUT);

  test(
    'one deploy of both stacks bootstraps a fresh cluster with real Kubernetes resources',
    async () => {
      const deploying = deploy();
      // The controllers start once the pre-apply step has made their kinds served, as their
      // Deployments would.
      // A deploy that fails before the CRDs exist ends the wait for them.
      const failed = deploying.then((r) => {
        if (r.code !== 0) throw new Error(`cdktf deploy exited ${r.code}\n${r.output}`);
        return new Promise<never>(() => {});
      });
      flux = await Promise.race([
        startFlux(cluster, { installCrds: false, crdTimeoutMs: COMMAND_TIMEOUT }),
        failed,
      ]);
      const result = await deploying;
      if (result.code !== 0)
        throw new Error(`cdktf deploy exited ${result.code}\n${result.output}${logs()}`);

      expect(await resourcesIn('flux')).toEqual([
        'data.kubernetes_namespace_v1.flux_kube-system',
        'kubernetes_secret_v1.flux_ca-secret',
        'kubernetes_secret_v1.flux_cluster-secret',
        'kubernetes_secret_v1.flux_components-secret',
        'null_resource.flux_pre-apply',
        'terraform_data.flux_uninstall',
      ]);
      expect(await resourcesIn('flux-sync')).toEqual([
        'kubernetes_manifest.kustomization-flux-components',
        'kubernetes_manifest.kustomization-flux-system',
        'kubernetes_manifest.ocirepository-flux-components',
        'kubernetes_manifest.ocirepository-flux-system',
      ]);

      // Ready at the tag and the digest the pre-apply step pushed (the one in the plan).
      const digest = synthesizedDigest();
      expect(await tagDigest(componentsTag())).toBe(digest);
      const repo = await read('OCIRepository', SOURCE, 'flux-components');
      expect(repo.status?.artifact?.revision).toBe(`production@${digest}`);
      const ks = await read('Kustomization', KUSTOMIZE, 'flux-components');
      expect(ks.status?.lastAppliedRevision).toBe(`production@${digest}`);
      const sa = await core.readNamespacedServiceAccount({
        name: 'kustomize-controller',
        namespace: 'flux-system',
      });
      expect(sa.metadata?.labels?.['kustomize.toolkit.fluxcd.io/name']).toBe('flux-components');
      const expected = expectedAuths(registries);
      for (const name of ['flux-components', 'flux-system'] as const) {
        const secret = await core.readNamespacedSecret({ name, namespace: 'flux-system' });
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
    await pushArtifact(`oci://${registries.fleet.host}/fleet/cluster:production`, fleet, {
      credentials: fleetUser,
      caFile: registries.caFile,
    });
    await requestReconcile(objects, 'flux-system');
    await waitFor(
      'the fleet ConfigMap',
      () => core.readNamespacedConfigMap({ name: 'fleet-app', namespace: 'default' }),
      180_000,
    ).catch((err: Error) => {
      throw new Error(`${err.message}${logs()}`);
    });
  }, 240_000);

  test(
    'a second deploy plans no changes in either stack',
    async () => {
      await mustDeploy();
      for (const stack of STACKS) await expectNoChanges(stack);
    },
    3 * COMMAND_TIMEOUT,
  );

  test(
    'drift: a deleted OCIRepository and an edited Kustomization show in the plan, and the next deploy restores them',
    async () => {
      await objects.delete({
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
      await objects.patch(
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
      for (const stack of STACKS) await expectNoChanges(stack);
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
      await pushArtifact(url, artifact, { credentials: user, caFile: registries.caFile });
      const moved = artifact.manifest.descriptor.digest;
      await requestReconcile(objects, 'flux-components');
      await waitFor(
        'Flux to apply the components CI pushed',
        async () =>
          (await read('Kustomization', KUSTOMIZE, 'flux-components')).status
            ?.lastAppliedRevision === `production@${moved}`
            ? true
            : undefined,
        180_000,
      ).catch((err: Error) => {
        throw new Error(`${err.message}${logs()}`);
      });
      await mustDeploy();
      expect(await tagDigest(url)).toBe(moved);
      for (const stack of STACKS) await expectNoChanges(stack);
    },
    3 * COMMAND_TIMEOUT,
  );

  test(
    'story 5: a rotated password with its revision raised rewrites only the Secret, and Flux pulls with it',
    async () => {
      const before = await tagDigest(componentsTag());
      user.password = `prov-rotated-p4ss-${_engine}`;
      passwords.push(user.password);
      await registries.components.setPassword(user.password);
      revisions.FLUX_OCI_PASSWORD_REVISION = '2';
      const synth = await cdktf(['synth']);
      if (synth.code !== 0) throw new Error(synth.output);
      const changes = await engine('flux', ['plan', '-input=false']);
      expect(changes.output).toMatch(
        /kubernetes_secret_v1\.flux_components-secret_[0-9A-F]{8} will be updated in-place/,
      );
      expect(changes.output).toMatch(/Plan: 0 to add, 1 to change, 0 to destroy/);
      await expectNoChanges('flux-sync');

      await mustDeploy();
      expect(await tagDigest(componentsTag())).toBe(before);
      const secret = await core.readNamespacedSecret({
        name: 'flux-components',
        namespace: 'flux-system',
      });
      expect(dockerConfigAuths(secret.data)).toEqual(expectedAuths(registries)['flux-components']);
      const requestedAt = await requestReconcile(objects, 'flux-components');
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
        throw new Error(`${err.message}${logs()}`);
      });
      for (const stack of STACKS) await expectNoChanges(stack);
    },
    3 * COMMAND_TIMEOUT,
  );

  test('the passwords and their base64 forms are in no file, state, output or process argument', () => {
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
    expect(files.filter((f) => f.endsWith('.tfstate')).length).toBeGreaterThanOrEqual(2);
    const forms = passwords.flatMap((p) => [
      p,
      Buffer.from(p).toString('base64'),
      Buffer.from(`flux:${p}`).toString('base64'),
      Buffer.from(`fleet-reader:${p}`).toString('base64'),
    ]);
    const leaks = (text: string) => forms.filter((f) => text.includes(f));
    for (const file of files)
      expect({ file, leaked: leaks(readFileSync(file, 'utf8')) }).toEqual({ file, leaked: [] });
    expect({ output: leaks(outputs.join('\n')) }).toEqual({ output: [] });
    expect(argvSeen.size).toBeGreaterThan(10);
    expect({ argv: [...argvSeen].filter((a) => leaks(a).length) }).toEqual({ argv: [] });
  });

  test(
    'destroy of both stacks removes Flux in its order and leaves what Flux applied',
    async () => {
      const result = await cdktf(['destroy', ...STACKS, '--auto-approve', '--skip-provider-lock']);
      if (result.code !== 0) throw new Error(`${result.output}${logs()}`);
      await waitFor(
        'the flux-system namespace to be gone',
        async () => {
          const ns = await readOrGone(() => core.readNamespace({ name: 'flux-system' }));
          if (ns) throw new Error(`still there (${ns.status?.phase})`);
          return true;
        },
        180_000,
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
    },
    2 * COMMAND_TIMEOUT,
  );
});
