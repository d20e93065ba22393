// RFC story 2 through the real `cdktf deploy` (OpenTofu and Terraform, the providers from
// the harness's offline mirror): stacks/story2-ecr-workload-identity.ts, `provider: 'aws'`. The
// pre-apply step pushes the components with the deploying machine's AWS identity, which it
// reads from the environment Terraform passes down; the REAL source-controller pulls with
// its own. ECR's API, the token realm and the registry host name are FAKES
// (test/support/cloud/fake-cloud.ts) in front of the REAL docker-registry: the clouds cannot
// be reached from here.
import { KubeConfig, KubernetesObjectApi } from '@kubernetes/client-node';
import { mkdtempSync, readdirSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startCluster, type Cluster } from './harness/cluster.js';
import { startFlux, type Flux } from './harness/flux.js';
import { tail } from './harness/process.js';
import { START_TIMEOUT, STOP_TIMEOUT, teardown } from './harness/teardown.js';
import { enginesOf, prepareTerraform, type TerraformSetup } from './harness/terraform.js';
import { runCdktf, writeCdktfProject, type CdktfResult } from './support/cdktf-cli.js';
import { STORY1_MANIFESTS } from './support/story1.js';
import type { ConnectProxy } from '../support/connect-proxy.js';
import type { FakeCloud } from '../support/cloud/fake-cloud.js';
import { clusterIdentityEnv, startStory2Cloud, type Story2FluxObject } from './support/story2.js';

const tf: TerraformSetup = await prepareTerraform({
  require: ['hashicorp/kubernetes', 'hashicorp/null'],
});
const engines = enginesOf(tf);
if (engines.skipped) test.skip(`cdktf deploy of story 2 with ${engines.skipped}`, () => {});
/** What one engine command can take on a loaded 2-core machine. */
const COMMAND_TIMEOUT = 10 * 60 * 1000;

describe.each(engines.run)(
  "story 2 through cdktf deploy with %s: provider 'aws', the pre-apply step pushes with the deploying machine's identity",
  (_engine, binary) => {
    let cloud: FakeCloud;
    let proxy: ConnectProxy;
    let cluster: Cluster;
    let flux: Flux | undefined;
    let work: string;
    let objects: KubernetesObjectApi;
    let result: CdktfResult;

    const logs = () =>
      flux
        ? `\nsource-controller:\n${tail(flux.logs.sourceController)}\nkustomize-controller:\n${tail(flux.logs.kustomizeController)}`
        : '';

    beforeAll(
      async () => {
        ({ cloud, proxy } = await startStory2Cloud());
        cluster = await startCluster();
        const kc = new KubeConfig();
        kc.loadFromFile(cluster.kubeconfigPath);
        objects = KubernetesObjectApi.makeApiClient(kc);
        work = mkdtempSync(join(tmpdir(), 'flux-oci-cdktf-story2-'));
        writeCdktfProject(work, 'story2-ecr-workload-identity.ts');

        const ecr = `oci://${cloud.hosts.aws}`;
        const deploying = runCdktf(
          work,
          ['deploy', 'flux', 'flux-sync', '--auto-approve', '--skip-provider-lock'],
          {
            // The deploying machine: its AWS identity, and (test only) the registry host names
            // resolved to the fakes and their CA trusted, for every node process cdktf and
            // Terraform start, the pre-apply step's among them.
            ...cloud.env('aws'),
            AWS_CA_BUNDLE: undefined,
            ...tf.env,
            TERRAFORM_BINARY_NAME: binary,
            FLUX_OCI_URL: `${ecr}/flux-manifests:production`,
            FLUX_OCI_CLUSTER_URL: `${ecr}/fleet:production`,
            FLUX_OCI_COMPONENTS: 'source-controller,kustomize-controller',
            FLUX_OCI_VERSION: 'v2.9.5',
            FLUX_OCI_KUBECONFIG: cluster.kubeconfigPath,
            FLUX_MANIFESTS: STORY1_MANIFESTS,
          },
        );
        const failed = deploying.then((r) => {
          if (r.code !== 0) throw new Error(`cdktf deploy exited ${r.code}\n${r.output}`);
          return new Promise<never>(() => {});
        });
        // The cluster's identity: IRSA would give source-controller its own keys.
        flux = await Promise.race([
          startFlux(cluster, {
            installCrds: false,
            crdTimeoutMs: COMMAND_TIMEOUT,
            env: clusterIdentityEnv(cloud, proxy),
          }),
          failed,
        ]);
        result = await deploying;
      },
      START_TIMEOUT + 2 * COMMAND_TIMEOUT,
    );

    afterAll(async () => {
      await teardown({
        flux,
        cluster,
        proxy,
        cloud,
        work: () =>
          work && !process.env.FLUX_OCI_KEEP_HARNESS
            ? rmSync(work, { recursive: true, force: true })
            : undefined,
      });
    }, STOP_TIMEOUT);

    test('one deploy of both stacks bootstraps the cluster; its sync objects pull with provider aws', async () => {
      if (result.code !== 0)
        throw new Error(`cdktf deploy exited ${result.code}\n${result.output}${logs()}`);
      // The pre-apply step's own lines, through Terraform's local-exec.
      expect(result.output).toMatch(
        /► pushing components artifact to oci:\/\/123456789012\.dkr\.ecr\.eu-west-1\.amazonaws\.com\/flux-manifests/,
      );
      for (const name of ['flux-components', 'flux-system']) {
        const repo = (await objects.read({
          apiVersion: 'source.toolkit.fluxcd.io/v1',
          kind: 'OCIRepository',
          metadata: { name, namespace: 'flux-system' },
        })) as unknown as Story2FluxObject;
        expect(repo.spec.provider).toBe('aws');
        expect(repo.spec.secretRef).toBeUndefined();
        expect(repo.status?.artifact?.revision).toMatch(/^production@sha256:[0-9a-f]{64}$/);
        expect(repo.status?.conditions?.find((c) => c.type === 'Ready')?.status).toBe('True');
      }
      // The pre-apply step logged in through ECR (the realm takes only what ECR issued), and
      // so did source-controller.
      expect(cloud.calls.ecr.length).toBeGreaterThanOrEqual(2);
      expect(cloud.calls.realm.filter((r) => r.ok).length).toBeGreaterThanOrEqual(2);
      expect(proxy.connects).toContain(`${cloud.hosts.aws}:443`);
    });

    test('no credential ECR issued is in the deploy output, the synthesized files or the state', () => {
      const files: string[] = [];
      const walk = (dir: string): void => {
        for (const entry of readdirSync(dir)) {
          const path = join(dir, entry);
          if (entry === '.terraform' || entry === 'node_modules') continue;
          if (statSync(path).isDirectory()) walk(path);
          else if (/\.(json|tfstate|tfstate\.backup)$/.test(entry)) files.push(path);
        }
      };
      walk(join(work, 'cdktf.out'));
      walk(work);
      expect(files.some((f) => f.endsWith('.tfstate'))).toBe(true);
      const secrets = cloud.issuedSecrets();
      expect(secrets.length).toBeGreaterThan(0);
      for (const secret of secrets) {
        expect(result.output).not.toContain(secret);
        for (const file of files) expect(readFileSync(file, 'utf8')).not.toContain(secret);
      }
    });
  },
);
