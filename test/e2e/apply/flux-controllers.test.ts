// Readiness and uninstall with the real Flux source-controller and kustomize-controller
// (local processes against the harness API server) pulling from a real registry.
import { jest } from '@jest/globals';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startRegistry, type TestRegistry } from '../../support/registry.js';
import { startCluster, type Cluster } from '../harness/cluster.js';
import { startFlux, type Flux } from '../harness/flux.js';
import { tail } from '../harness/process.js';
import { START_TIMEOUT, STOP_TIMEOUT, teardown } from '../harness/teardown.js';
import { pushArtifact } from '../harness/push-artifact.js';
import { waitFor } from '../harness/wait.js';
import { connectToCluster } from '../../../src/kube/connect.js';
import type { KubeClient } from '../../../src/kube/client.js';
import { applyManifests } from '../../../src/bootstrap/apply/apply-manifests.js';
import { waitForReady } from '../../../src/bootstrap/readiness/wait-for-ready.js';
import { uninstallFlux } from '../../../src/bootstrap/uninstall-phase.js';
import { ReadinessError } from '../../../src/bootstrap/readiness/readiness-error.js';
import { refOf, type KubeObject } from '../../../src/kube/object.js';
import { namespace, recordingLogger } from './fixtures.js';

jest.setTimeout(30 * 60 * 1000); // a cold machine builds the controllers first

let work: string;
let registry: TestRegistry;
let cluster: Cluster;
let flux: Flux | undefined;
let client: KubeClient;
let revision: string;

const repository: KubeObject = {
  apiVersion: 'source.toolkit.fluxcd.io/v1',
  kind: 'OCIRepository',
  metadata: { name: 'flux-system', namespace: 'flux-system' },
  spec: { interval: '1m', url: '', ref: { tag: 'v1' }, insecure: true },
};
const kustomization = (name: string, path: string): KubeObject => ({
  apiVersion: 'kustomize.toolkit.fluxcd.io/v1',
  kind: 'Kustomization',
  metadata: { name, namespace: 'flux-system' },
  spec: {
    interval: '10m',
    path,
    prune: true,
    sourceRef: { kind: 'OCIRepository', name: 'flux-system' },
  },
});
const workload = { apiVersion: 'v1', kind: 'ConfigMap', namespace: 'default', name: 'podinfo' };

beforeAll(async () => {
  work = await mkdtemp(join(tmpdir(), 'flux-oci-applier-flux-'));
  registry = await startRegistry();
  cluster = await startCluster();
  flux = await startFlux(cluster);
  client = connectToCluster({ kubeconfig: cluster.kubeconfigPath });
  const tree = join(work, 'tree');
  await mkdir(tree);
  await writeFile(
    join(tree, 'podinfo.yaml'),
    'apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: podinfo\n  namespace: default\ndata:\n  replicas: "2"\n',
  );
  const pushed = await pushArtifact(registry.url, 'fleet/flux-system', 'v1', tree, work);
  revision = `v1@${pushed.digest}`;
  repository.spec = {
    ...(repository.spec as object),
    url: `oci://${registry.host}/fleet/flux-system`,
  };
}, START_TIMEOUT);
afterAll(
  () =>
    teardown({
      flux,
      cluster,
      registry,
      work: () => (work ? rm(work, { recursive: true, force: true }) : undefined),
    }),
  STOP_TIMEOUT,
);

function withControllerLogs(error: Error): Error {
  if (!flux) return error;
  error.message += `\nsource-controller:\n${tail(flux.logs.sourceController)}\nkustomize-controller:\n${tail(flux.logs.kustomizeController)}`;
  return error;
}

describe('the applier with the real Flux controllers', () => {
  it('waits until the OCIRepository and Kustomization have reconciled the pushed revision', async () => {
    const ks = kustomization('flux-system', './');
    await applyManifests(client, [namespace('flux-system'), repository, ks]);
    const logger = recordingLogger();
    await waitForReady(
      client,
      [
        { ...refOf(repository), expectedRevision: revision },
        { ...refOf(ks), expectedRevision: revision },
      ],
      { timeoutMs: 120_000, logger },
    ).catch((e: Error) => {
      throw withControllerLogs(e);
    });
    expect(logger.lines.filter((l) => l.startsWith('✔'))).toEqual([
      expect.stringMatching(
        new RegExp(
          `^✔ OCIRepository/flux-system/flux-system ready: Ready=True .*\\(revision ${revision.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}\\)$`,
        ),
      ),
      expect.stringMatching(
        /^✔ Kustomization\/flux-system\/flux-system ready: Ready=True \(ReconciliationSucceeded\): Applied revision: /,
      ),
    ]);
    const applied = await client.get(workload);
    expect(applied?.metadata.labels?.['kustomize.toolkit.fluxcd.io/name']).toBe('flux-system');
  });

  it("times out naming the controller's condition when the Kustomization's path is missing", async () => {
    // kustomize-controller leaves the generation unobserved on a missing path (it retries),
    // so this is a wait that ends in a timeout, as `flux bootstrap`'s would.
    const broken = kustomization('broken', './clusters/missing');
    await applyManifests(client, [namespace('flux-system'), repository, broken]);
    const error = await waitForReady(client, [{ ...refOf(broken), expectedRevision: revision }], {
      timeoutMs: 10_000,
    }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ReadinessError);
    expect((error as ReadinessError).timedOut).toBe(true);
    expect((error as Error).message).toMatch(
      /^timed out after 10s waiting for 1 object to be ready:\n {2}Kustomization\/flux-system\/broken: not ready, .*Ready=False \(ArtifactFailed\): kustomization path not found: .*clusters\/missing: no such file or directory$/,
    );
  });

  it('stops early on Ready=False once the controller has attempted the expected revision', async () => {
    const tree = join(work, 'invalid');
    await mkdir(tree);
    await writeFile(
      join(tree, 'bad.yaml'),
      'apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: bad\n  namespace: default\ndata:\n  "not a valid key!": x\n',
    );
    const pushed = await pushArtifact(registry.url, 'fleet/invalid', 'v1', tree, work);
    const invalidRevision = `v1@${pushed.digest}`;
    const source: KubeObject = {
      ...repository,
      metadata: { name: 'invalid', namespace: 'flux-system' },
      spec: { ...(repository.spec as object), url: `oci://${registry.host}/fleet/invalid` },
    };
    const invalid: KubeObject = {
      ...kustomization('invalid', './'),
      spec: {
        ...(kustomization('invalid', './').spec as object),
        sourceRef: { kind: 'OCIRepository', name: 'invalid' },
      },
    };
    await applyManifests(client, [namespace('flux-system'), source, invalid]);
    const error = await waitForReady(
      client,
      [{ ...refOf(invalid), expectedRevision: invalidRevision }],
      { timeoutMs: 120_000 },
    ).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ReadinessError);
    // Stopped at the controller's failure, not at the timeout.
    expect((error as ReadinessError).timedOut).toBe(false);
    expect((error as Error).message).toMatch(
      /^1 object failed:\n {2}Kustomization\/flux-system\/invalid: Ready=False \(ReconciliationFailed\): ConfigMap\/default\/bad dry-run failed \(Invalid\): .*a valid config key must consist of alphanumeric characters.*\)$/,
    );
  });

  it('uninstalls once the controllers are gone, leaving what Flux applied in place', async () => {
    // The components' Deployments are what runs the controllers on a real cluster; here they
    // are processes, so stop them as deleting the Deployments would.
    await flux!.stop();
    flux = undefined;
    const crds = await client.list('apiextensions.k8s.io/v1', 'CustomResourceDefinition');
    // The harness installs the controllers' CRDs without Flux's install labels.
    for (const crd of crds.filter((c) => c.metadata.name.endsWith('.toolkit.fluxcd.io'))) {
      await client.mergePatch(crd, {
        metadata: {
          labels: {
            'app.kubernetes.io/part-of': 'flux',
            'app.kubernetes.io/instance': 'flux-system',
          },
        },
      });
    }
    const report = await uninstallFlux(client);
    expect(report.finalizersRemoved).toEqual(
      expect.arrayContaining([
        'OCIRepository/flux-system/flux-system',
        'Kustomization/flux-system/flux-system',
        'Kustomization/flux-system/broken',
        'Kustomization/flux-system/invalid',
      ]),
    );
    expect(report.deleted).toContain('Namespace/flux-system');
    await waitFor(
      'the namespace controller to delete flux-system',
      async () =>
        (await client.get({ apiVersion: 'v1', kind: 'Namespace', name: 'flux-system' }))
          ? undefined
          : true,
      60_000,
    );
    expect((await client.get(workload))?.data).toEqual({ replicas: '2' });
  });
});
