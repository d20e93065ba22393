// Issue 10: the provider rendering's output is portable and follows the cluster. The app
// (stacks/story1-providers.ts) is synthesized in one directory and deployed from a copy
// whose original output is gone (the launcher, the artifact and the CA are found relative to
// the copy's stack directories); then the cluster is recreated at the same kubeconfig path,
// and the next deploy bootstraps it again (the UID of kube-system triggers the pre-apply
// step; Terraform finds the Secrets and sync objects gone and creates them). OpenTofu and
// Terraform.
import { KubeConfig, KubernetesObjectApi } from '@kubernetes/client-node';
import { copyFileSync, cpSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startCluster, type Cluster } from './harness/cluster.js';
import { startFlux, type Flux } from './harness/flux.js';
import { tail } from './harness/process.js';
import { START_TIMEOUT, STOP_TIMEOUT, teardown } from './harness/teardown.js';
import { enginesOf, prepareTerraform, type TerraformSetup } from './harness/terraform.js';
import { runCdktf, writeCdktfProject, type CdktfResult } from './support/cdktf-cli.js';
import { startStory1Registries, story1AppEnv, type Story1Registries } from './support/story1.js';

const tf: TerraformSetup = await prepareTerraform({
  require: ['hashicorp/kubernetes', 'hashicorp/null'],
});
const engines = enginesOf(tf);
if (engines.skipped)
  test.skip(`a recreated cluster and a copied project with ${engines.skipped}`, () => {});

const COMMAND_TIMEOUT = 10 * 60 * 1000;
const STACKS = ['flux', 'flux-sync'];

describe.each(engines.run)('the provider rendering with %s', (engine, binary) => {
  const user = { username: 'flux', password: `recreate-p4ss-${engine}` };
  const fleetUser = { username: 'fleet-reader', password: `recreate-fleet-${engine}` };
  let registries: Story1Registries;
  let cluster: Cluster | undefined;
  let flux: Flux | undefined;
  let synthDir: string;
  let work: string;
  /** The kubeconfig path the app names; each cluster's kubeconfig is copied there. */
  let kubeconfig: string;

  const env = (): NodeJS.ProcessEnv => ({
    ...story1AppEnv(registries, cluster!, binary, tf.env),
    FLUX_OCI_KUBECONFIG: kubeconfig,
  });
  const cdktf = (dir: string, args: string[]): Promise<CdktfResult> =>
    runCdktf(dir, [...args, '--skip-provider-lock'], env());
  const logs = () =>
    flux
      ? `\nsource-controller:\n${tail(flux.logs.sourceController)}\nkustomize-controller:\n${tail(flux.logs.kustomizeController)}`
      : '';
  const newCluster = async () => {
    cluster = await startCluster();
    copyFileSync(cluster.kubeconfigPath, kubeconfig);
  };
  /** Deploys both stacks from `dir` while the controllers start once the CRDs are served. */
  const deployFresh = async (dir: string, extra: string[] = []): Promise<CdktfResult> => {
    const deploying = cdktf(dir, ['deploy', ...STACKS, '--auto-approve', ...extra]);
    const failed = deploying.then((r) => {
      if (r.code !== 0) throw new Error(`cdktf deploy exited ${r.code}\n${r.output}`);
      return new Promise<never>(() => {});
    });
    flux = await Promise.race([
      startFlux(cluster!, { installCrds: false, crdTimeoutMs: COMMAND_TIMEOUT }),
      failed,
    ]);
    const result = await deploying;
    if (result.code !== 0)
      throw new Error(`cdktf deploy exited ${result.code}\n${result.output}${logs()}`);
    return result;
  };
  const expectFluxReady = async () => {
    const kc = new KubeConfig();
    kc.loadFromFile(kubeconfig);
    const objects = KubernetesObjectApi.makeApiClient(kc);
    for (const name of ['flux-components', 'flux-system']) {
      const repo = (await objects.read({
        apiVersion: 'source.toolkit.fluxcd.io/v1',
        kind: 'OCIRepository',
        metadata: { name, namespace: 'flux-system' },
      })) as { status?: { conditions?: { type: string; status: string }[] } };
      const ready = repo.status?.conditions?.find((c) => c.type === 'Ready')?.status;
      expect({ name, ready }).toEqual({ name, ready: 'True' });
    }
  };

  beforeAll(async () => {
    registries = await startStory1Registries(user, fleetUser);
    synthDir = mkdtempSync(join(tmpdir(), 'flux-oci-synth-here-'));
    work = mkdtempSync(join(tmpdir(), 'flux-oci-deploy-there-'));
    kubeconfig = join(work, 'kubeconfig');
    await newCluster();
    writeCdktfProject(synthDir, 'story1-providers.ts');
  }, START_TIMEOUT);

  afterAll(async () => {
    await teardown({
      flux,
      cluster,
      registries,
      work: () => {
        if (process.env.FLUX_OCI_KEEP_HARNESS) return;
        for (const dir of [synthDir, work]) if (dir) rmSync(dir, { recursive: true, force: true });
      },
    });
  }, STOP_TIMEOUT);

  test(
    'synthesized in one directory, deployed from a copy whose original output is gone',
    async () => {
      const synth = await cdktf(synthDir, ['synth']);
      if (synth.code !== 0) throw new Error(synth.output);
      cpSync(join(synthDir, 'cdktf.json'), join(work, 'cdktf.json'));
      cpSync(join(synthDir, 'cdktf.out'), join(work, 'cdktf.out'), { recursive: true });
      rmSync(join(synthDir, 'cdktf.out'), { recursive: true, force: true });
      const result = await deployFresh(work, ['--skip-synth']);
      expect(result.output).toMatch(/installed components/);
      await expectFluxReady();
    },
    3 * COMMAND_TIMEOUT,
  );

  test(
    'a cluster recreated at the same kubeconfig path is bootstrapped again by the next deploy',
    async () => {
      await flux?.stop();
      flux = undefined;
      await cluster?.stop();
      cluster = undefined;
      await newCluster();
      const result = await deployFresh(work, ['--skip-synth']);
      // The pre-apply step ran again (the cluster's identity changed) and installed Flux.
      expect(result.output).toMatch(
        /null_resource\.flux_pre-apply_[0-9A-F]{8}.* must be replaced/s,
      );
      expect(result.output).toMatch(/installed components/);
      await expectFluxReady();
    },
    3 * COMMAND_TIMEOUT,
  );
});
