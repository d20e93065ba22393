// `flux-oci bootstrap oci` against real components: RFC story 1's two TLS registries with
// basic auth, one user each (components, fleet), a real API server, and the real
// source-controller and kustomize-controller, which must pull each artifact with its own
// credentials and take the components over.
import { CoreV1Api, KubeConfig, KubernetesObjectApi } from '@kubernetes/client-node';
import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startCluster, type Cluster } from './harness/cluster.js';
import { startFlux, type Flux } from './harness/flux.js';
import { tail } from './harness/process.js';
import { START_TIMEOUT, STOP_TIMEOUT, teardown } from './harness/teardown.js';
import { waitFor } from './harness/wait.js';
import { runFluxOci, type CliResult } from './support/flux-oci-cli.js';
import {
  dockerConfigAuths,
  expectedAuths,
  startStory1Registries,
  story1BootstrapArgs,
  story1BootstrapEnv,
  type Story1Registries,
} from './support/story1.js';
import { readOrGone } from './support/read-or-gone.js';
import { requestReconcile } from './support/request-reconcile.js';

const user = { username: 'flux', password: 'e2e-Secret-p4ss' };
const fleetUser = { username: 'fleet-reader', password: 'e2e-Fleet-p4ss' };

interface FluxObject {
  metadata: { labels?: Record<string, string> };
  spec: { secretRef?: { name: string } };
  status?: {
    artifact?: { revision: string; metadata?: Record<string, string> };
    lastAppliedRevision?: string;
    conditions?: { type: string; status: string; message: string }[];
  };
}

describe('flux-oci bootstrap oci (real registry, API server and Flux controllers)', () => {
  let registries: Story1Registries;
  let cluster: Cluster;
  let flux: Flux | undefined;
  let objects: KubernetesObjectApi;
  let core: CoreV1Api;
  let first: CliResult;
  // Stops a bootstrap still running when the set-up fails.
  const abort = new AbortController();

  const args = (): string[] => story1BootstrapArgs(registries, cluster);
  const bootstrap = (password = user.password): Promise<CliResult> =>
    runFluxOci(args(), { stdin: password, env: story1BootstrapEnv(registries) });

  const read = (kind: string, apiVersion: string, name: string) =>
    objects.read({
      apiVersion,
      kind,
      metadata: { name, namespace: 'flux-system' },
    }) as unknown as Promise<FluxObject>;

  beforeAll(async () => {
    registries = await startStory1Registries(user, fleetUser);
    cluster = await startCluster();
    const kc = new KubeConfig();
    kc.loadFromFile(cluster.kubeconfigPath);
    objects = KubernetesObjectApi.makeApiClient(kc);
    core = kc.makeApiClient(CoreV1Api);

    const running = runFluxOci(args(), {
      stdin: user.password,
      env: story1BootstrapEnv(registries),
      signal: abort.signal,
    });
    // The controllers start once the bootstrap has made their kinds served, as their
    // Deployments would.
    flux = await startFlux(cluster, { installCrds: false, crdTimeoutMs: 180_000 });
    first = await running;
  }, START_TIMEOUT);

  afterAll(async () => {
    abort.abort();
    await teardown({ flux, cluster, registries });
  }, STOP_TIMEOUT);

  const logs = () =>
    flux
      ? `\nsource-controller:\n${tail(flux.logs.sourceController)}\nkustomize-controller:\n${tail(flux.logs.kustomizeController)}`
      : '';

  test('bootstraps and reports each step like flux bootstrap', () => {
    if (first.code !== 0) throw new Error(`exit ${first.code}\n${first.stderr}${logs()}`);
    expect(first.stderr).toMatch(/► pushing components artifact to oci:\/\//);
    expect(first.stderr).toMatch(/✔ installed components/);
    expect(first.stderr).toMatch(/✔ empty cluster artifact pushed to/);
    expect(first.stderr).toMatch(/✔ bootstrap finished/);
    expect(first.stdout).toBe('');
  });

  test('source-controller serves the components at the digest we pushed', async () => {
    const manifest = execFileSync('skopeo', [
      'inspect',
      '--raw',
      '--tls-verify=false',
      `--creds=${user.username}:${user.password}`,
      `docker://${registries.components.host}/flux/components:latest`,
    ]);
    const digest = `sha256:${createHash('sha256').update(manifest).digest('hex')}`;
    const repo = await read('OCIRepository', 'source.toolkit.fluxcd.io/v1', 'flux-components');
    expect(repo.status?.artifact?.revision).toBe(`latest@${digest}`);
    const ks = await read('Kustomization', 'kustomize.toolkit.fluxcd.io/v1', 'flux-components');
    expect(ks.status?.lastAppliedRevision).toBe(`latest@${digest}`);
  });

  test('kustomize-controller has taken the components over', async () => {
    const sa = await core.readNamespacedServiceAccount({
      name: 'source-controller',
      namespace: 'flux-system',
    });
    expect(sa.metadata?.labels?.['kustomize.toolkit.fluxcd.io/name']).toBe('flux-components');
  });

  test('the cluster artifact is followed at the cluster path', async () => {
    const ks = await read('Kustomization', 'kustomize.toolkit.fluxcd.io/v1', 'flux-system');
    expect(ks.status?.conditions?.find((c) => c.type === 'Ready')?.status).toBe('True');
    expect(ks.status?.lastAppliedRevision).toMatch(/^production@sha256:[a-f0-9]{64}$/);
  });

  test('story 1: each registry Secret holds its own registry and user, and only those', async () => {
    const secret = async (name: string) =>
      dockerConfigAuths((await core.readNamespacedSecret({ name, namespace: 'flux-system' })).data);
    const expected = expectedAuths(registries);
    expect(await secret('flux-components')).toEqual(expected['flux-components']);
    expect(await secret('flux-system')).toEqual(expected['flux-system']);
  });

  test('story 1: Flux pulls each artifact from its registry with its own Secret', async () => {
    // Each registry accepts only its own user: Ready means the right credentials were sent.
    for (const name of ['flux-components', 'flux-system']) {
      const repo = await read('OCIRepository', 'source.toolkit.fluxcd.io/v1', name);
      expect({ name, secretRef: repo.spec.secretRef?.name }).toEqual({ name, secretRef: name });
      const ready = repo.status?.conditions?.find((c) => c.type === 'Ready');
      // toEqual, so that a failure shows the controller's message next to the status.
      expect({ name, ready: ready?.status, message: ready?.message }).toEqual({
        name,
        ready: 'True',
        message: expect.any(String),
      });
    }
  });

  test('the registry passwords appear in no output', () => {
    expect(first.stdout + first.stderr).not.toContain(user.password);
    expect(first.stdout + first.stderr).not.toContain(fleetUser.password);
  });

  test('a second run leaves the components to Flux', async () => {
    const second = await bootstrap();
    if (second.code !== 0) throw new Error(`exit ${second.code}\n${second.stderr}${logs()}`);
    expect(second.stderr).toMatch(
      /components are managed by Kustomization flux-system\/flux-components/,
    );
    expect(second.stderr).toMatch(/components artifact already in the registry/);
    expect(second.stderr).toMatch(/cluster artifact .* exists/);
  }, 300_000);

  test('a wrong password fails with a clear message and exit code 1', async () => {
    const result = await bootstrap('not-the-password');
    expect(result.code).toBe(1);
    expect(result.stderr).toMatch(/✗ .*(rejected|unauthorized|credentials)/i);
    expect(result.stderr).not.toMatch(/\n\s+at /);
  }, 120_000);

  test('an unreachable registry fails with its address and exit code 1, touching nothing', async () => {
    const unreachable = args().map((a) =>
      a.startsWith('--url=') ? '--url=oci://127.0.0.1:1/flux/components:latest' : a,
    );
    const result = await runFluxOci(unreachable, {
      stdin: user.password,
      env: story1BootstrapEnv(registries),
    });
    expect(result.code).toBe(1);
    expect(result.stderr).toMatch(/✗ registry 127\.0\.0\.1:1 refused the connection/);
    expect(result.stderr).not.toMatch(/installing components/);
  }, 120_000);

  test('story 3: a fleet artifact pushed and tagged by CI is applied and traceable', async () => {
    const sha = 'a1b2c3d4e5f60718293a4b5c6d7e8f9012345678';
    const tree = mkdtempSync(join(tmpdir(), 'fleet-'));
    try {
      mkdirSync(join(tree, 'clusters', 'production'), { recursive: true });
      writeFileSync(
        join(tree, 'clusters', 'production', 'app.yaml'),
        'apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: fleet-app\n  namespace: default\ndata:\n  from: fleet\n',
      );
      // CI pushes with the fleet registry's user (a registry here knows only one).
      const registryFlags = [
        `--ca-file=${registries.caFile}`,
        `--username=${fleetUser.username}`,
        '--password-stdin',
      ];
      const pushed = await runFluxOci(
        [
          'push',
          'artifact',
          `oci://${registries.fleet.host}/fleet/cluster:${sha.slice(0, 7)}`,
          `--path=${tree}`,
          '--source=https://github.com/acme/fleet',
          `--revision=main@sha1:${sha}`,
          ...registryFlags,
        ],
        { stdin: fleetUser.password },
      );
      if (pushed.code !== 0) throw new Error(pushed.stderr);
      const tagged = await runFluxOci(
        [
          'tag',
          'artifact',
          `oci://${registries.fleet.host}/fleet/cluster:${sha.slice(0, 7)}`,
          '--tag=production',
          ...registryFlags,
        ],
        { stdin: fleetUser.password },
      );
      if (tagged.code !== 0) throw new Error(tagged.stderr);
    } finally {
      rmSync(tree, { recursive: true, force: true });
    }
    await requestReconcile(objects, 'flux-system');
    const configMap = await waitFor(
      'the fleet ConfigMap',
      () => core.readNamespacedConfigMap({ name: 'fleet-app', namespace: 'default' }),
      120_000,
    ).catch((err: Error) => {
      throw new Error(`${err.message}${logs()}`);
    });
    expect(configMap.metadata?.labels?.['kustomize.toolkit.fluxcd.io/name']).toBe('flux-system');
    const repo = await read('OCIRepository', 'source.toolkit.fluxcd.io/v1', 'flux-system');
    expect(repo.status?.artifact?.metadata).toMatchObject({
      'org.opencontainers.image.source': 'https://github.com/acme/fleet',
      'org.opencontainers.image.revision': `main@sha1:${sha}`,
    });
  }, 300_000);

  test('uninstall removes Flux and leaves the namespace when asked', async () => {
    const result = await runFluxOci([
      'uninstall',
      '--silent',
      '--keep-namespace',
      `--kubeconfig=${cluster.kubeconfigPath}`,
    ]);
    if (result.code !== 0) throw new Error(`exit ${result.code}\n${result.stderr}`);
    // CRDs go once the API server has removed their custom resources.
    await waitFor(
      'the OCIRepository CRD to be gone',
      async () => {
        const crd = await readOrGone(() =>
          objects.read({
            apiVersion: 'apiextensions.k8s.io/v1',
            kind: 'CustomResourceDefinition',
            metadata: { name: 'ocirepositories.source.toolkit.fluxcd.io' },
          }),
        );
        if (crd) throw new Error('still there');
        return true;
      },
      60_000,
    );
    const ns = await core.readNamespace({ name: 'flux-system' });
    expect(ns.metadata?.name).toBe('flux-system');
    // What Flux applied keeps running.
    const app = await core.readNamespacedConfigMap({ name: 'fleet-app', namespace: 'default' });
    expect(app.data).toEqual({ from: 'fleet' });
  }, 300_000);
});
