// The construct signs and Flux verifies: `cdktf deploy` of the provider rendering with a
// cosign key from the deploy's environment (the real cosign made it), against a fresh
// harness cluster; the real source-controller reports both OCIRepositories SourceVerified.
// One engine (OpenTofu): signing adds step arguments and plain Secrets, nothing an engine
// treats differently; both engines deploy the provider rendering in cdktf-providers.test.ts.
import { CoreV1Api, KubeConfig, KubernetesObjectApi } from '@kubernetes/client-node';
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { runCosign } from '../support/cosign-cli.js';
import { startCluster, type Cluster } from './harness/cluster.js';
import { startFlux, type Flux } from './harness/flux.js';
import { tail } from './harness/process.js';
import { START_TIMEOUT, STOP_TIMEOUT, teardown } from './harness/teardown.js';
import { prepareTerraform, type TerraformSetup } from './harness/terraform.js';
import { runCdktf, writeCdktfProject, type CdktfResult } from './support/cdktf-cli.js';
import { startStory1Registries, story1AppEnv, type Story1Registries } from './support/story1.js';

const tf: TerraformSetup = await prepareTerraform({
  require: ['hashicorp/kubernetes', 'hashicorp/null'],
});
const COMMAND_TIMEOUT = 10 * 60 * 1000;
/** The stacks each rendering makes: terraform-data keeps everything in the user's stack. */
const STACKS_OF = { providers: ['flux', 'flux-sync'], 'terraform-data': ['flux'] } as const;
const COSIGN_PASSWORD = 'cdktf-Cosign-p4ss';

describe.each(['providers', 'terraform-data'] as const)(
  'cdktf deploy (%s) with a cosign key: the construct signs, source-controller verifies',
  (rendering) => {
    const user = { username: 'flux', password: 'sign-Secret-p4ss' };
    const fleetUser = { username: 'fleet-reader', password: 'sign-Fleet-p4ss' };
    let registries: Story1Registries;
    let cluster: Cluster;
    let flux: Flux | undefined;
    let work: string;
    let objects: KubernetesObjectApi;
    let core: CoreV1Api;
    let privateKey: string;
    const outputs: string[] = [];
    const STACKS = STACKS_OF[rendering];

    const env = (): NodeJS.ProcessEnv => ({
      ...story1AppEnv(registries, cluster, tf.tofuPath, tf.env),
      FLUX_OCI_TEST_COSIGN_KEY: privateKey,
      FLUX_OCI_COSIGN_PUB: join(work, 'cosign.pub'),
      TF_VAR_cosign_password: COSIGN_PASSWORD,
      FLUX_OCI_RENDERING: rendering,
      COSIGN_PASSWORD: undefined,
    });
    const logs = () =>
      flux
        ? `\nsource-controller:\n${tail(flux.logs.sourceController)}\nkustomize-controller:\n${tail(flux.logs.kustomizeController)}`
        : '';

    beforeAll(async () => {
      registries = await startStory1Registries(user, fleetUser);
      cluster = await startCluster();
      const kc = new KubeConfig();
      kc.loadFromFile(cluster.kubeconfigPath);
      objects = KubernetesObjectApi.makeApiClient(kc);
      core = kc.makeApiClient(CoreV1Api);
      work = mkdtempSync(join(tmpdir(), 'flux-oci-cdktf-signing-'));
      const generated = await runCosign(['generate-key-pair'], {
        cwd: work,
        env: { COSIGN_PASSWORD },
      });
      if (generated.code !== 0) throw new Error(`cosign generate-key-pair: ${generated.stderr}`);
      privateKey = readFileSync(join(work, 'cosign.key'), 'utf8');
      writeCdktfProject(work, '../test/e2e/support/signing-app.ts');
    }, START_TIMEOUT);

    afterAll(async () => {
      await teardown({
        flux,
        cluster,
        registries,
        work: () => (work ? rmSync(work, { recursive: true, force: true }) : undefined),
      });
    }, STOP_TIMEOUT);

    test(
      'one deploy bootstraps with both artifacts signed and verified; no key material is kept',
      async () => {
        const deploying = runCdktf(
          work,
          ['deploy', ...STACKS, '--auto-approve', '--skip-provider-lock'],
          env(),
        ).then((r: CdktfResult) => (outputs.push(r.output), r));
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

        const pub = readFileSync(join(work, 'cosign.pub'), 'utf8');
        for (const name of ['flux-components', 'flux-system']) {
          const repo = (await objects.read({
            apiVersion: 'source.toolkit.fluxcd.io/v1',
            kind: 'OCIRepository',
            metadata: { name, namespace: 'flux-system' },
          })) as {
            spec: { verify?: unknown };
            status?: {
              artifact?: { revision: string };
              conditions?: { type: string; status: string; message: string }[];
            };
          };
          expect(repo.spec.verify).toEqual({
            provider: 'cosign',
            secretRef: { name: `${name}-cosign` },
          });
          const verified = repo.status?.conditions?.find((c) => c.type === 'SourceVerified');
          expect({ name, verified: verified?.status, message: verified?.message }).toEqual({
            name,
            verified: 'True',
            message: `verified signature of revision ${repo.status?.artifact?.revision}`,
          });
          const secret = await core.readNamespacedSecret({
            name: `${name}-cosign`,
            namespace: 'flux-system',
          });
          expect(Buffer.from(secret.data!['cosign.pub'], 'base64').toString()).toBe(pub);
        }

        // Neither the key nor its password in any output, synthesized file or state.
        const keyBody = privateKey.split('\n')[1];
        expect(outputs.some((o) => o.includes(COSIGN_PASSWORD) || o.includes(keyBody))).toBe(false);
        const files = [
          // cdktf's local backend keeps the state beside the project: terraform.<stack>.tfstate.
          ...readdirSync(work)
            .filter((f) => f.endsWith('.tfstate'))
            .map((f) => join(work, f)),
          ...STACKS.flatMap((stack) => {
            const dir = join(work, 'cdktf.out', 'stacks', stack);
            return readdirSync(dir)
              .filter((f) => f.endsWith('.json'))
              .map((f) => join(dir, f));
          }),
        ];
        expect(files.filter((f) => f.endsWith('.tfstate'))).toHaveLength(STACKS.length);
        for (const file of files) {
          const text = readFileSync(file, 'utf8');
          expect({
            file,
            password: text.includes(COSIGN_PASSWORD),
            key: text.includes(keyBody),
          }).toEqual({ file, password: false, key: false });
        }
      },
      3 * COMMAND_TIMEOUT,
    );
  },
);
