// RFC story 6 on real components: CI pushes the fleet artifact with its Git origin (story 3),
// `flux-oci bootstrap oci` installs Flux (story 1's registries), the real source-controller
// and kustomize-controller apply a ConfigMap and a Deployment from it, and `flux-oci trace`
// leads from each back to the artifact (URL, tag, digest) and the commit. The real Flux CLI's
// `flux trace` on the same objects is the oracle: same layout, same origin.
import { mkdtempSync, mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { connectToCluster } from '../../src/kube/connect.js';
import { TraceError, traceObject } from '../../src/index.js';
import type { KubeClient } from '../../src/kube/client.js';
import { FLUX_CLI_BUILD_TIMEOUT_MS, fluxBinary, runFluxCli } from '../support/flux-cli.js';
import { startCluster, type Cluster } from './harness/cluster.js';
import { startFlux, type Flux } from './harness/flux.js';
import { tail } from './harness/process.js';
import { START_TIMEOUT, STOP_TIMEOUT, teardown } from './harness/teardown.js';
import { waitFor } from './harness/wait.js';
import { runFluxOci, type CliResult } from './support/flux-oci-cli.js';
import {
  fleetUrl,
  startStory1Registries,
  story1BootstrapArgs,
  story1BootstrapEnv,
  type Story1Registries,
} from './support/story1.js';

const user = { username: 'flux', password: 'e2e-Trace-p4ss' };
const fleetUser = { username: 'fleet-ci', password: 'e2e-Trace-Fleet-p4ss' };
const gitUrl = 'https://github.com/acme/fleet';
const commit = '0f1e2d3c4b5a69788796a5b4c3d2e1f00f1e2d3c';
// The OCIRepository in the traced output: `flux trace` prints its tag, we print the same.
const tag = 'production';

const fleet = {
  'namespace.yaml': 'apiVersion: v1\nkind: Namespace\nmetadata:\n  name: apps\n',
  'configmap.yaml':
    'apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: podinfo\n  namespace: apps\ndata:\n  color: blue\n',
  // No kubelet here: the Deployment is applied and stored, nothing runs it.
  'deployment.yaml': [
    'apiVersion: apps/v1',
    'kind: Deployment',
    'metadata:',
    '  name: podinfo',
    '  namespace: apps',
    'spec:',
    '  replicas: 1',
    '  selector:',
    '    matchLabels: { app: podinfo }',
    '  template:',
    '    metadata:',
    '      labels: { app: podinfo }',
    '    spec:',
    '      containers:',
    '        - name: podinfo',
    '          image: ghcr.io/stefanprodan/podinfo:6.7.1',
    '',
  ].join('\n'),
};

describe('flux-oci trace (RFC story 6; real registry, API server, Flux controllers and Flux CLI)', () => {
  let registries: Story1Registries;
  let cluster: Cluster;
  let flux: Flux | undefined;
  let kube: KubeClient;
  let digest: string;
  let home: string;
  const abort = new AbortController();

  const trace = (...args: string[]): Promise<CliResult> =>
    runFluxOci(['trace', ...args, `--kubeconfig=${cluster.kubeconfigPath}`]);
  // TZ=UTC: flux prints times in local time, ours in UTC.
  const fluxTrace = (...args: string[]) =>
    runFluxCli(['trace', ...args, `--kubeconfig=${cluster.kubeconfigPath}`], home, { TZ: 'UTC' });

  const logs = () =>
    flux
      ? `\nsource-controller:\n${tail(flux.logs.sourceController)}\nkustomize-controller:\n${tail(flux.logs.kustomizeController)}`
      : '';

  beforeAll(async () => {
    fluxBinary(); // built once (cached) before anything is timed
    home = mkdtempSync(join(tmpdir(), 'flux-trace-home-'));
    registries = await startStory1Registries(user, fleetUser);
    cluster = await startCluster();
    kube = connectToCluster({ kubeconfig: cluster.kubeconfigPath });

    // CI (story 3): the fleet at clusters/production, pushed with its Git origin.
    const tree = mkdtempSync(join(tmpdir(), 'fleet-'));
    try {
      mkdirSync(join(tree, 'clusters', 'production'), { recursive: true });
      for (const [file, text] of Object.entries(fleet)) {
        writeFileSync(join(tree, 'clusters', 'production', file), text);
      }
      const pushed = await runFluxOci(
        [
          'push',
          'artifact',
          fleetUrl(registries, tag),
          `--path=${tree}`,
          `--source=${gitUrl}`,
          `--revision=main@sha1:${commit}`,
          `--ca-file=${registries.caFile}`,
          `--username=${fleetUser.username}`,
          '--password-stdin',
          '-o',
          'json',
        ],
        { stdin: fleetUser.password },
      );
      if (pushed.code !== 0) throw new Error(`push: exit ${pushed.code}\n${pushed.stderr}`);
      digest = (JSON.parse(pushed.stdout) as { digest: string }).digest;
    } finally {
      rmSync(tree, { recursive: true, force: true });
    }

    const bootstrap = runFluxOci(story1BootstrapArgs(registries, cluster), {
      stdin: user.password,
      env: story1BootstrapEnv(registries),
      signal: abort.signal,
    });
    flux = await startFlux(cluster, { installCrds: false, crdTimeoutMs: 180_000 });
    const done = await bootstrap;
    if (done.code !== 0) throw new Error(`bootstrap: exit ${done.code}\n${done.stderr}${logs()}`);
    await waitFor(
      'the fleet Deployment applied by Flux',
      () =>
        kube.get({ apiVersion: 'apps/v1', kind: 'Deployment', name: 'podinfo', namespace: 'apps' }),
      120_000,
    ).catch((err: Error) => {
      throw new Error(`${err.message}${logs()}`);
    });
  }, START_TIMEOUT + FLUX_CLI_BUILD_TIMEOUT_MS);

  afterAll(async () => {
    abort.abort();
    await teardown({
      flux,
      cluster,
      registries,
      home: () => (home ? rmSync(home, { recursive: true, force: true }) : undefined),
    });
  }, STOP_TIMEOUT);

  test('story 6: the Deployment leads to the OCI artifact and the Git commit', async () => {
    const ours = await trace('-n', 'apps', 'deploy/podinfo');
    if (ours.code !== 0) throw new Error(`exit ${ours.code}\n${ours.stderr}${logs()}`);
    const url = fleetUrl(registries, tag).replace(/:production$/, '');
    const lines = ours.stdout.split('\n');
    expect(lines.slice(0, 4)).toEqual([
      '',
      'Object:          Deployment/podinfo',
      'Namespace:       apps',
      'Status:          Managed by Flux',
    ]);
    expect(lines).toEqual(
      expect.arrayContaining([
        'Kustomization:   flux-system',
        'Path:            ./clusters/production',
        `Revision:        ${tag}@${digest}`,
        `Message:         Applied revision: ${tag}@${digest}`,
        'OCIRepository:   flux-system',
        `URL:             ${url}`,
        `Tag:             ${tag}`,
        `Origin Revision: main@sha1:${commit}`,
        `Origin Source:   ${gitUrl}`,
      ]),
    );
    expect(ours.stderr).toBe('');
  });

  test("flux trace shows the same: the output is flux's, line for line", async () => {
    for (const [kind, name] of [
      ['deployment', 'podinfo'],
      ['configmap', 'podinfo'],
    ]) {
      const theirs = await fluxTrace('-n', 'apps', kind, name);
      expect({ code: theirs.code, stderr: theirs.stderr }).toEqual({ code: 0, stderr: '' });
      // The oracle itself shows the origin of our artifact.
      expect(theirs.stdout).toContain(
        `\nURL:             oci://${registries.fleet.host}/fleet/cluster\n`,
      );
      expect(theirs.stdout).toContain(`\nRevision:        ${tag}@${digest}\n`);
      expect(theirs.stdout).toContain(`\nOrigin Revision: main@sha1:${commit}\n`);
      expect(theirs.stdout).toContain(`\nOrigin Source:   ${gitUrl}\n`);
      const ours = await trace('-n', 'apps', kind, name);
      expect(ours.code).toBe(0);
      expect(ours.stdout).toBe(theirs.stdout);
    }
  });

  test('the kind may be named as kubectl names it, or given with --kind and --api-version', async () => {
    const reference = await trace('-n', 'apps', 'configmap/podinfo');
    expect(reference.code).toBe(0);
    for (const args of [
      ['cm/podinfo'],
      ['ConfigMap', 'podinfo'],
      ['configmaps/podinfo', '--api-version=v1'],
      ['podinfo', '--kind=ConfigMap', '--api-version=v1'],
    ]) {
      const result = await trace('-n', 'apps', ...args);
      expect({ args, code: result.code, stdout: result.stdout }).toEqual({
        args,
        code: 0,
        stdout: reference.stdout,
      });
    }
  });

  test('a Flux component traces to the components artifact bootstrap pushed', async () => {
    const result = await trace('-n', 'flux-system', 'deployment/source-controller');
    expect(result.code).toBe(0);
    expect(result.stdout).toContain('\nKustomization:   flux-components\n');
    expect(result.stdout).toContain(
      `\nURL:             oci://${registries.components.host}/flux/components\n`,
    );
    const theirs = await fluxTrace('-n', 'flux-system', 'deployment/source-controller');
    expect(result.stdout).toBe(theirs.stdout);
  });

  test("a Pod traces through its ReplicaSet to the Deployment's Kustomization, as in flux", async () => {
    // What the deployment controller (absent here) would create: a ReplicaSet owned by the
    // Deployment and a Pod owned by the ReplicaSet, neither with Flux's labels.
    const deployment = await kube.get({
      apiVersion: 'apps/v1',
      kind: 'Deployment',
      name: 'podinfo',
      namespace: 'apps',
    });
    const owner = (object: {
      apiVersion: string;
      kind: string;
      metadata: { name: string; uid?: unknown };
    }) => ({
      apiVersion: object.apiVersion,
      kind: object.kind,
      name: object.metadata.name,
      uid: object.metadata.uid,
      controller: true,
    });
    const template = (deployment!.spec as { template: { spec: unknown } }).template;
    const replicaSet = await kube.apply(
      {
        apiVersion: 'apps/v1',
        kind: 'ReplicaSet',
        metadata: {
          name: 'podinfo-5d4c',
          namespace: 'apps',
          labels: { app: 'podinfo' },
          ownerReferences: [owner(deployment!)],
        },
        spec: { replicas: 1, selector: { matchLabels: { app: 'podinfo' } }, template },
      },
      { fieldManager: 'e2e', force: true },
    );
    await kube.apply(
      {
        apiVersion: 'v1',
        kind: 'Pod',
        metadata: {
          name: 'podinfo-5d4c-x7k2p',
          namespace: 'apps',
          labels: { app: 'podinfo' },
          ownerReferences: [owner(replicaSet)],
        },
        spec: template.spec,
      },
      { fieldManager: 'e2e', force: true },
    );
    const ours = await trace('-n', 'apps', 'pod/podinfo-5d4c-x7k2p');
    expect(ours.code).toBe(0);
    expect(ours.stdout).toContain('\nObject:          Pod/podinfo-5d4c-x7k2p\n');
    expect(ours.stdout).toContain(`\nOrigin Revision: main@sha1:${commit}\n`);
    const theirs = await fluxTrace('-n', 'apps', 'pod/podinfo-5d4c-x7k2p');
    expect(ours.stdout).toBe(theirs.stdout);
  });

  test('-o json: the object, its Kustomization, the OCIRepository and the origin', async () => {
    const result = await trace('-n', 'apps', 'deploy/podinfo', '-o', 'json');
    expect(result.code).toBe(0);
    const readyTrue = {
      status: 'True',
      reason: expect.any(String),
      message: expect.any(String),
      lastTransitionTime: expect.stringMatching(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$/),
    };
    expect(JSON.parse(result.stdout)).toEqual({
      object: { apiVersion: 'apps/v1', kind: 'Deployment', name: 'podinfo', namespace: 'apps' },
      kustomization: {
        name: 'flux-system',
        namespace: 'flux-system',
        path: './clusters/production',
        lastAppliedRevision: `${tag}@${digest}`,
        lastAttemptedRevision: `${tag}@${digest}`,
        ready: { ...readyTrue, reason: 'ReconciliationSucceeded' },
      },
      ociRepository: {
        name: 'flux-system',
        namespace: 'flux-system',
        url: `oci://${registries.fleet.host}/fleet/cluster`,
        tag,
        revision: `${tag}@${digest}`,
        digest,
        ready: { ...readyTrue, reason: 'Succeeded' },
      },
      origin: { source: gitUrl, revision: `main@sha1:${commit}` },
      artifactMetadata: expect.objectContaining({
        'org.opencontainers.image.source': gitUrl,
        'org.opencontainers.image.revision': `main@sha1:${commit}`,
      }),
    });
    const yaml = await trace('-n', 'apps', 'deploy/podinfo', '-o', 'yaml');
    expect(yaml.code).toBe(0);
    expect(yaml.stdout).toContain(`  revision: main@sha1:${commit}\n`);
  });

  test('the library: traceObject gives what -o json prints; a TraceError says why not', async () => {
    const traced = await traceObject(kube, { kind: 'deploy', name: 'podinfo', namespace: 'apps' });
    const printed = await trace('-n', 'apps', 'deploy/podinfo', '-o', 'json');
    expect(traced).toEqual(JSON.parse(printed.stdout));
    const missing = await traceObject(kube, {
      kind: 'Deployment',
      apiVersion: 'apps/v1',
      name: 'missing',
      namespace: 'apps',
    }).catch((e: unknown) => e);
    expect(missing).toBeInstanceOf(TraceError);
    expect(missing).toMatchObject({ failure: 'notFound', exitCode: 1 });
  });

  test('an object applied by hand: one line, exit 1 (flux trace prints its error and exits 0)', async () => {
    await kube.apply(
      {
        apiVersion: 'v1',
        kind: 'ConfigMap',
        metadata: { name: 'handmade', namespace: 'apps' },
        data: { by: 'hand' },
      },
      { fieldManager: 'kubectl', force: false },
    );
    const ours = await trace('-n', 'apps', 'cm/handmade');
    expect({ code: ours.code, stdout: ours.stdout, stderr: ours.stderr }).toEqual({
      code: 1,
      stdout: '',
      stderr:
        '✗ ConfigMap/apps/handmade is not managed by Flux: neither it nor its owners have the kustomize.toolkit.fluxcd.io/name label (applied by hand or by another tool)\n',
    });
    const theirs = await fluxTrace('-n', 'apps', 'cm/handmade');
    expect(theirs).toEqual({
      code: 0,
      stdout: '',
      stderr: 'failed to trace ConfigMap/handmade in namespace apps: object not managed by Flux',
    });
  });

  test('a missing object: one line, exit 1, as flux trace', async () => {
    const ours = await trace('-n', 'apps', 'deploy/missing');
    expect({ code: ours.code, stdout: ours.stdout, stderr: ours.stderr }).toEqual({
      code: 1,
      stdout: '',
      stderr: '✗ Deployment/apps/missing not found: check the name, and the namespace (-n)\n',
    });
    const theirs = await fluxTrace('-n', 'apps', 'deploy/missing');
    expect(theirs.code).toBe(1);
    expect(theirs.stderr).toContain('deployments.apps "missing" not found');
  });

  test('an unknown kind: one line, exit 1', async () => {
    const ours = await trace('-n', 'apps', 'deploymnet/podinfo');
    expect({ code: ours.code, stderr: ours.stderr }).toEqual({
      code: 1,
      stderr:
        '✗ the cluster serves no resource type "deploymnet": check the kind (e.g. deployment, configmap, kustomization)\n',
    });
  });

  test('an object of a HelmRelease, or of a Kustomization since deleted: one line each, exit 1', async () => {
    const labelled = (name: string, labels: Record<string, string>) =>
      kube.apply(
        { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name, namespace: 'apps', labels } },
        { fieldManager: 'e2e', force: true },
      );
    // What helm-controller leaves on what it installs.
    await labelled('from-helm', {
      'helm.toolkit.fluxcd.io/name': 'podinfo',
      'helm.toolkit.fluxcd.io/namespace': 'apps',
    });
    const helm = await trace('-n', 'apps', 'cm/from-helm');
    expect({ code: helm.code, stderr: helm.stderr }).toEqual({
      code: 1,
      stderr:
        '✗ ConfigMap/apps/from-helm is managed by HelmRelease apps/podinfo, not by a Kustomization: trace it with flux trace\n',
    });
    await labelled('orphan', {
      'kustomize.toolkit.fluxcd.io/name': 'deleted',
      'kustomize.toolkit.fluxcd.io/namespace': 'flux-system',
    });
    const orphan = await trace('-n', 'apps', 'cm/orphan');
    expect({ code: orphan.code, stderr: orphan.stderr }).toEqual({
      code: 1,
      stderr:
        '✗ ConfigMap/apps/orphan was applied by Kustomization flux-system/deleted, which does not exist (any more): the object is left over from it\n',
    });
  });

  test('an object applied from a GitRepository: one line naming the source, exit 1', async () => {
    // What kustomize-controller leaves on an object from a Git source: its owner labels.
    await kube.apply(
      {
        apiVersion: 'kustomize.toolkit.fluxcd.io/v1',
        kind: 'Kustomization',
        metadata: { name: 'from-git', namespace: 'flux-system' },
        spec: {
          interval: '10m',
          path: './',
          prune: false,
          sourceRef: { kind: 'GitRepository', name: 'fleet-git' },
        },
      },
      { fieldManager: 'e2e', force: true },
    );
    await kube.apply(
      {
        apiVersion: 'v1',
        kind: 'ConfigMap',
        metadata: {
          name: 'from-git',
          namespace: 'apps',
          labels: {
            'kustomize.toolkit.fluxcd.io/name': 'from-git',
            'kustomize.toolkit.fluxcd.io/namespace': 'flux-system',
          },
        },
      },
      { fieldManager: 'e2e', force: true },
    );
    const ours = await trace('-n', 'apps', 'cm/from-git');
    expect({ code: ours.code, stderr: ours.stderr }).toEqual({
      code: 1,
      stderr:
        '✗ ConfigMap/apps/from-git is applied by Kustomization flux-system/from-git from GitRepository flux-system/fleet-git, not from an OCIRepository: trace it with flux trace\n',
    });
  });
});
