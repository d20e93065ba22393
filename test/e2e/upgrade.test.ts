// RFC story 4 against real components: Flux bootstrapped at one version, `flux-oci upgrade`
// run with no cluster access, and the real source-controller and kustomize-controller
// applying the new components from the registry, the user's patch included.
import { AppsV1Api, KubeConfig, KubernetesObjectApi } from '@kubernetes/client-node';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startRegistry, type TestRegistry } from '../support/registry.js';
import { startCluster, type Cluster } from './harness/cluster.js';
import { startFlux, type Flux } from './harness/flux.js';
import { tail } from './harness/process.js';
import { START_TIMEOUT, STOP_TIMEOUT, teardown } from './harness/teardown.js';
import { repoRoot } from './harness/tools.js';
import { waitFor } from './harness/wait.js';
import { requestReconcile } from './support/request-reconcile.js';
import { runFluxOci, type CliResult } from './support/flux-oci-cli.js';

const user = { username: 'flux', password: 'e2e-Upgrade-p4ss' };
const manifests = join(repoRoot, 'test/fixtures/flux-components');

describe('flux-oci upgrade (real registry, API server and Flux controllers)', () => {
  let registry: TestRegistry;
  let cluster: Cluster;
  let flux: Flux | undefined;
  let objects: KubernetesObjectApi;
  let apps: AppsV1Api;
  let work: string;
  let bootstrap: CliResult;
  const abort = new AbortController();

  const url = () => `oci://${registry.host}/flux/components:latest`;
  const registryFlags = () => [
    `--url=${url()}`,
    `--username=${user.username}`,
    '--password-stdin',
    `--ca-file=${registry.caFile}`,
    `--manifests=${manifests}`,
  ];

  const logs = () =>
    flux
      ? `\nsource-controller:\n${tail(flux.logs.sourceController)}\nkustomize-controller:\n${tail(flux.logs.kustomizeController)}`
      : '';

  const lastApplied = async (): Promise<string | undefined> => {
    const ks = (await objects.read({
      apiVersion: 'kustomize.toolkit.fluxcd.io/v1',
      kind: 'Kustomization',
      metadata: { name: 'flux-components', namespace: 'flux-system' },
    })) as unknown as { status?: { lastAppliedRevision?: string } };
    return ks.status?.lastAppliedRevision;
  };

  beforeAll(async () => {
    work = mkdtempSync(join(tmpdir(), 'upgrade-e2e-'));
    writeFileSync(
      join(work, 'kustomization.yaml'),
      [
        'apiVersion: kustomize.config.k8s.io/v1beta1',
        'kind: Kustomization',
        'resources: [gotk-components.yaml]',
        'patches:',
        '  - target: {kind: Deployment, name: source-controller}',
        '    patch: |',
        '      - op: add',
        '        path: /spec/template/spec/containers/0/env/-',
        '        value: {name: HTTPS_PROXY, value: "http://proxy.internal:3128"}',
        '',
      ].join('\n'),
    );
    registry = await startRegistry({ tls: true, htpasswd: user });
    cluster = await startCluster();
    const kc = new KubeConfig();
    kc.loadFromFile(cluster.kubeconfigPath);
    objects = KubernetesObjectApi.makeApiClient(kc);
    apps = kc.makeApiClient(AppsV1Api);

    const run = runFluxOci(
      [
        'bootstrap',
        'oci',
        ...registryFlags(),
        '--version=v2.8.0',
        '--components=source-controller,kustomize-controller',
        `--kustomization=${join(work, 'kustomization.yaml')}`,
        `--kubeconfig=${cluster.kubeconfigPath}`,
        '--timeout=3m',
      ],
      { stdin: user.password, signal: abort.signal },
    );
    // The controllers start once the bootstrap has made their kinds served, as their
    // Deployments would.
    flux = await startFlux(cluster, { installCrds: false, crdTimeoutMs: 180_000 });
    bootstrap = await run;
  }, START_TIMEOUT);

  afterAll(async () => {
    abort.abort();
    await teardown({
      flux,
      cluster,
      registry,
      work: () => (work ? rmSync(work, { recursive: true, force: true }) : undefined),
    });
  }, STOP_TIMEOUT);

  test('Flux updates itself from the tag the upgrade moved, keeping the user patch', async () => {
    if (bootstrap.code !== 0)
      throw new Error(`exit ${bootstrap.code}\n${bootstrap.stderr}${logs()}`);
    const before = await lastApplied();
    expect(before).toMatch(/^latest@sha256:[a-f0-9]{64}$/);

    // No --kubeconfig: the upgrade touches only the registry.
    const upgraded = await runFluxOci(
      ['upgrade', ...registryFlags(), '--version=v2.9.5', '--revision=ci-run-42', '-o', 'json'],
      { stdin: user.password, env: { KUBECONFIG: '/nonexistent' } },
    );
    if (upgraded.code !== 0) throw new Error(`exit ${upgraded.code}\n${upgraded.stderr}`);
    const result = JSON.parse(upgraded.stdout) as { previousDigest: string; digest: string };
    expect(`latest@${result.previousDigest}`).toBe(before);
    expect(result.digest).not.toBe(result.previousDigest);
    expect(upgraded.stdout + upgraded.stderr).not.toContain(user.password);

    await requestReconcile(objects, 'flux-components');
    await waitFor(
      'flux-components to apply the upgraded artifact',
      async () => ((await lastApplied()) === `latest@${result.digest}` ? true : undefined),
      180_000,
    ).catch((err: Error) => {
      throw new Error(`${err.message}${logs()}`);
    });

    const deployment = await apps.readNamespacedDeployment({
      name: 'source-controller',
      namespace: 'flux-system',
    });
    expect(deployment.metadata?.labels?.['app.kubernetes.io/version']).toBe('v2.9.5');
    expect(deployment.spec?.template.spec?.containers[0].env).toContainEqual({
      name: 'HTTPS_PROXY',
      value: 'http://proxy.internal:3128',
    });
  }, 300_000);
});
