// Issue 10, item 3: the provider rendering reaches the cluster without a kubeconfig file,
// by host + ServiceAccount token + CA, and by host + CA and an exec credential plugin (the
// token a cluster module or a cloud CLI would give). The same connection configures both
// kubernetes providers and reaches the pre-apply and uninstall steps through their
// environment: `cdktf deploy` with OpenTofu and Terraform bootstraps a fresh harness cluster,
// plans no change a second time, and `cdktf destroy` removes Flux.
import { KubeConfig, RbacAuthorizationV1Api } from '@kubernetes/client-node';
import { chmodSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { START_TIMEOUT } from './harness/teardown.js';
import { enginesOf, prepareTerraform, type TerraformSetup } from './harness/terraform.js';
import { waitFor } from './harness/wait.js';
import { COMMAND_TIMEOUT, deployedStory1 } from './support/deployed-story1.js';
import { readOrGone } from './support/read-or-gone.js';

const tf: TerraformSetup = await prepareTerraform({
  require: ['hashicorp/kubernetes', 'hashicorp/null'],
});
const engines = enginesOf(tf);
if (engines.skipped)
  test.skip(`the provider rendering's connections with ${engines.skipped}`, () => {});

const STACKS = ['flux', 'flux-sync'];

const cases = engines.run.flatMap(([engine, binary]) =>
  (['token', 'exec'] as const).map((connection) => [engine, binary, connection] as const),
);

describe.each(cases)(
  'cdktf deploy of the provider rendering with %s, connected by host + %s',
  (engine, binary, connection) => {
    const user = { username: 'flux', password: `conn-Secret-p4ss-${engine}-${connection}` };
    const fleetUser = { username: 'fleet-reader', password: `conn-Fleet-${engine}-${connection}` };
    let token: string;
    const p = deployedStory1({
      app: '../test/e2e/support/connection-app.ts',
      binary,
      tf,
      user,
      fleetUser,
      workPrefix: `flux-oci-connection-${connection}-`,
      env: () => ({
        // No kubeconfig file: none is given, and the defaults name none that exists.
        FLUX_OCI_KUBECONFIG: undefined,
        KUBECONFIG: join(p.work, 'no-such-kubeconfig'),
        KUBE_CONFIG_PATH: undefined,
        FLUX_OCI_CONNECTION: connection,
        FLUX_OCI_EXEC_COMMAND: join(p.work, 'exec-plugin.sh'),
        FLUX_OCI_EXEC_ARG: join(p.work, 'token'),
        TF_VAR_cluster_host: p.cluster.server,
        TF_VAR_cluster_ca: readFileSync(p.cluster.caFile, 'utf8'),
        ...(connection === 'token' ? { TF_VAR_cluster_token: token } : {}),
      }),
    });
    const execLog = () => join(p.work, 'exec-plugin.log');

    beforeAll(async () => {
      const kc = new KubeConfig();
      kc.loadFromFile(p.cluster.kubeconfigPath);
      const core = p.core;
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
      writeFileSync(join(p.work, 'token'), token, { mode: 0o600 });
      // The plugin logs who ran it (the provider or flux-oci) and what its env carried.
      const plugin = join(p.work, 'exec-plugin.sh');
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
    }, START_TIMEOUT);

    test(
      'one deploy bootstraps the cluster, and a second plans no change',
      async () => {
        await p.deployFresh(STACKS);
        for (const name of ['flux-components', 'flux-system']) {
          const repo = (await p.objects.read({
            apiVersion: 'source.toolkit.fluxcd.io/v1',
            kind: 'OCIRepository',
            metadata: { name, namespace: 'flux-system' },
          })) as { status?: { conditions?: { type: string; status: string }[] } };
          const ready = repo.status?.conditions?.find((c) => c.type === 'Ready')?.status;
          expect({ name, ready }).toEqual({ name, ready: 'True' });
        }
        for (const stack of STACKS) await p.expectNoChanges(stack);
        if (connection === 'exec') {
          // Both the provider (Go) and the pre-apply step (node) ran the plugin, with its env.
          const runners = new Set(readFileSync(execLog(), 'utf8').trim().split('\n'));
          expect([...runners].sort()).toEqual([
            'node from-exec-env',
            expect.stringMatching(/^terraform-prov.* from-exec-env$/),
          ]);
        }
        // The token in no output and no synthesized file.
        expect(p.outputs.some((o) => o.includes(token))).toBe(false);
        for (const stack of STACKS) {
          const dir = join(p.work, 'cdktf.out', 'stacks', stack);
          for (const file of readdirSync(dir).filter((f) => f.endsWith('.json')))
            expect(readFileSync(join(dir, file), 'utf8')).not.toContain(token);
        }
      },
      3 * COMMAND_TIMEOUT,
    );

    test(
      'destroy removes Flux through the same connection',
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
      },
      2 * COMMAND_TIMEOUT,
    );
  },
);
