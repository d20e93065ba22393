// Issue 10, item 3: the provider rendering reaches the cluster without a kubeconfig file,
// by host + ServiceAccount token + CA, and by host + CA and an exec credential plugin (the
// token a cluster module or a cloud CLI would give). The same connection configures both
// kubernetes providers and reaches the pre-apply and uninstall steps through their
// environment: `cdktf deploy` with OpenTofu and Terraform bootstraps a fresh harness cluster,
// plans no change a second time, and `cdktf destroy` removes Flux.
import {
  CoreV1Api,
  KubeConfig,
  KubernetesObjectApi,
  RbacAuthorizationV1Api,
} from '@kubernetes/client-node';
import { chmodSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { execFile } from 'node:child_process';
import { startCluster, type Cluster } from './harness/cluster.js';
import { startFlux, type Flux } from './harness/flux.js';
import { tail } from './harness/process.js';
import { START_TIMEOUT, STOP_TIMEOUT, teardown } from './harness/teardown.js';
import { enginesOf, prepareTerraform, type TerraformSetup } from './harness/terraform.js';
import { waitFor } from './harness/wait.js';
import { runCdktf, writeCdktfProject, type CdktfResult } from './support/cdktf-cli.js';
import { readOrGone } from './support/read-or-gone.js';
import { startStory1Registries, story1AppEnv, type Story1Registries } from './support/story1.js';

const tf: TerraformSetup = await prepareTerraform({
  require: ['hashicorp/kubernetes', 'hashicorp/null'],
});
const engines = enginesOf(tf);
if (engines.skipped)
  test.skip(`the provider rendering's connections with ${engines.skipped}`, () => {});

const COMMAND_TIMEOUT = 10 * 60 * 1000;
const STACKS = ['flux', 'flux-sync'];

const cases = engines.run.flatMap(([engine, binary]) =>
  (['token', 'exec'] as const).map((connection) => [engine, binary, connection] as const),
);

describe.each(cases)(
  'cdktf deploy of the provider rendering with %s, connected by host + %s',
  (engine, binary, connection) => {
    const user = { username: 'flux', password: `conn-Secret-p4ss-${engine}-${connection}` };
    const fleetUser = { username: 'fleet-reader', password: `conn-Fleet-${engine}-${connection}` };
    let registries: Story1Registries;
    let cluster: Cluster;
    let flux: Flux | undefined;
    let work: string;
    let token: string;
    let objects: KubernetesObjectApi;
    let core: CoreV1Api;
    const outputs: string[] = [];
    const execLog = () => join(work, 'exec-plugin.log');

    const env = (): NodeJS.ProcessEnv => ({
      ...story1AppEnv(registries, cluster, binary, tf.env),
      // No kubeconfig file: none is given, and the defaults name none that exists.
      FLUX_OCI_KUBECONFIG: undefined,
      KUBECONFIG: join(work, 'no-such-kubeconfig'),
      KUBE_CONFIG_PATH: undefined,
      FLUX_OCI_CONNECTION: connection,
      FLUX_OCI_EXEC_COMMAND: join(work, 'exec-plugin.sh'),
      FLUX_OCI_EXEC_ARG: join(work, 'token'),
      TF_VAR_cluster_host: cluster.server,
      TF_VAR_cluster_ca: readFileSync(cluster.caFile, 'utf8'),
      ...(connection === 'token' ? { TF_VAR_cluster_token: token } : {}),
    });
    const cdktf = async (args: string[]): Promise<CdktfResult> => {
      const result = await runCdktf(work, [...args, '--skip-provider-lock'], env());
      outputs.push(result.output);
      return result;
    };
    const logs = () =>
      flux
        ? `\nsource-controller:\n${tail(flux.logs.sourceController)}\nkustomize-controller:\n${tail(flux.logs.kustomizeController)}`
        : '';
    const plan = (stack: string): Promise<{ code: number; output: string }> =>
      new Promise((resolve) => {
        execFile(
          binary,
          ['plan', '-detailed-exitcode', '-input=false', '-no-color'],
          {
            cwd: join(work, 'cdktf.out', 'stacks', stack),
            env: { ...process.env, ...env() },
            maxBuffer: 64 * 1024 * 1024,
            timeout: COMMAND_TIMEOUT,
          },
          (err, stdout, stderr) => {
            outputs.push(`${stdout}${stderr}`);
            resolve({
              code: err ? (typeof err.code === 'number' ? err.code : -1) : 0,
              output: `${stdout}${stderr}`,
            });
          },
        );
      });

    beforeAll(async () => {
      registries = await startStory1Registries(user, fleetUser);
      cluster = await startCluster();
      const kc = new KubeConfig();
      kc.loadFromFile(cluster.kubeconfigPath);
      objects = KubernetesObjectApi.makeApiClient(kc);
      core = kc.makeApiClient(CoreV1Api);
      // A ServiceAccount bound to cluster-admin and a token for it, as a cluster module outputs.
      await core.createNamespacedServiceAccount({
        namespace: 'kube-system',
        body: { metadata: { name: 'deployer' } },
      });
      await kc.makeApiClient(RbacAuthorizationV1Api).createClusterRoleBinding({
        body: {
          metadata: { name: 'deployer' },
          roleRef: {
            apiGroup: 'rbac.authorization.k8s.io',
            kind: 'ClusterRole',
            name: 'cluster-admin',
          },
          subjects: [{ kind: 'ServiceAccount', name: 'deployer', namespace: 'kube-system' }],
        },
      });
      const request = await core.createNamespacedServiceAccountToken({
        name: 'deployer',
        namespace: 'kube-system',
        body: { spec: { audiences: [], expirationSeconds: 3600 } },
      });
      token = request.status!.token;
      work = mkdtempSync(join(tmpdir(), `flux-oci-connection-${connection}-`));
      writeFileSync(join(work, 'token'), token, { mode: 0o600 });
      // The plugin logs who ran it (the provider or flux-oci) and what its env carried.
      const plugin = join(work, 'exec-plugin.sh');
      writeFileSync(
        plugin,
        [
          '#!/bin/sh',
          `echo "$(cat /proc/$PPID/comm) $FLUX_OCI_EXEC_MARK" >> '${execLog()}'`,
          `printf '{"apiVersion":"client.authentication.k8s.io/v1","kind":"ExecCredential","status":{"token":"%s"}}' "$(cat "$1")"`,
          '',
        ].join('\n'),
      );
      chmodSync(plugin, 0o755);
      writeCdktfProject(work, '../test/e2e/support/connection-app.ts');
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
      'one deploy bootstraps the cluster, and a second plans no change',
      async () => {
        const deploying = cdktf(['deploy', ...STACKS, '--auto-approve']);
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
        for (const name of ['flux-components', 'flux-system']) {
          const repo = (await objects.read({
            apiVersion: 'source.toolkit.fluxcd.io/v1',
            kind: 'OCIRepository',
            metadata: { name, namespace: 'flux-system' },
          })) as { status?: { conditions?: { type: string; status: string }[] } };
          const ready = repo.status?.conditions?.find((c) => c.type === 'Ready')?.status;
          expect({ name, ready }).toEqual({ name, ready: 'True' });
        }
        for (const stack of STACKS) {
          const again = await plan(stack);
          expect({ stack, plan: again.code === 0 ? 'no changes' : again.output }).toEqual({
            stack,
            plan: 'no changes',
          });
        }
        if (connection === 'exec') {
          // Both the provider (Go) and the pre-apply step (node) ran the plugin, with its env.
          const runners = new Set(readFileSync(execLog(), 'utf8').trim().split('\n'));
          expect([...runners].sort()).toEqual([
            'node from-exec-env',
            expect.stringMatching(/^terraform-prov.* from-exec-env$/),
          ]);
        }
        // The token in no output and no synthesized file.
        expect(outputs.some((o) => o.includes(token))).toBe(false);
        for (const stack of STACKS) {
          const dir = join(work, 'cdktf.out', 'stacks', stack);
          for (const file of readdirSync(dir).filter((f) => f.endsWith('.json')))
            expect(readFileSync(join(dir, file), 'utf8')).not.toContain(token);
        }
      },
      3 * COMMAND_TIMEOUT,
    );

    test(
      'destroy removes Flux through the same connection',
      async () => {
        const result = await cdktf(['destroy', ...STACKS, '--auto-approve']);
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
      },
      2 * COMMAND_TIMEOUT,
    );
  },
);
