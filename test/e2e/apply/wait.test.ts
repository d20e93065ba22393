// Readiness waits against a real kube-apiserver. Nothing runs pods or Flux controllers here,
// so each test writes status through the status subresource, as a controller would.
import { jest } from '@jest/globals';
import { startCluster } from '../harness/cluster.js';
import { loadKubeConfig } from '../../../src/bootstrap/apply/kubeconfig.js';
import { KubeClient } from '../../../src/bootstrap/apply/kube-client.js';
import { applyManifests } from '../../../src/bootstrap/apply/apply-manifests.js';
import { waitForReady } from '../../../src/bootstrap/apply/wait-for-ready.js';
import { ReadinessError } from '../../../src/bootstrap/apply/readiness-error.js';
import { refOf, type KubeObject } from '../../../src/bootstrap/apply/kube-object.js';
import {
  deployment,
  fluxLikeCrd,
  namespace,
  recordingLogger,
  setDeploymentStatus,
  setFluxStatus,
} from './fixtures.js';

jest.setTimeout(120_000);

let cluster: Awaited<ReturnType<typeof startCluster>>;
let client: KubeClient;
const ns = 'waits';
const revision = `latest@sha256:${'a'.repeat(64)}`;

// Flux-shaped objects under a test group (the real Flux CRDs come with the controllers).
const repository = (name: string): KubeObject => ({
  apiVersion: 'test.toolkit.fluxcd.io/v1',
  kind: 'OCIRepository',
  metadata: { name, namespace: ns },
  spec: { url: 'oci://registry.example/flux-system', interval: '1m' },
});
const kustomization = (name: string, spec: Record<string, unknown> = {}): KubeObject => ({
  apiVersion: 'test.toolkit.fluxcd.io/v1',
  kind: 'Kustomization',
  metadata: { name, namespace: ns },
  spec: { path: './', prune: true, interval: '10m', ...spec },
});

beforeAll(async () => {
  cluster = await startCluster();
  client = new KubeClient(loadKubeConfig({ kubeconfig: cluster.kubeconfigPath }));
  await applyManifests(client, [
    namespace(ns),
    fluxLikeCrd('OCIRepository', 'ocirepositories'),
    fluxLikeCrd('Kustomization', 'kustomizations'),
  ]);
});
afterAll(async () => {
  await cluster?.stop();
});

const later = (ms: number, action: () => Promise<void>) =>
  new Promise<void>((resolve, reject) => setTimeout(() => action().then(resolve, reject), ms));

describe('waitForReady', () => {
  it('waits for a Deployment until its status says all replicas are available', async () => {
    const d = deployment(ns, 'source-controller');
    await applyManifests(client, [d]);
    await setDeploymentStatus(client, ns, 'source-controller', 0);
    const logger = recordingLogger();
    const started = Date.now();
    await Promise.all([
      waitForReady(client, [refOf(d)], { timeoutMs: 20_000, pollIntervalMs: 200, logger }),
      later(1_000, () => setDeploymentStatus(client, ns, 'source-controller', 1)),
    ]);
    expect(Date.now() - started).toBeGreaterThanOrEqual(1_000);
    expect(logger.lines).toEqual([
      '◎ waiting for Deployment/waits/source-controller to be ready',
      '✔ Deployment/waits/source-controller ready: Deployment is available. Replicas: 1',
    ]);
  });

  it('times out naming the Deployment and what it lacks', async () => {
    const d = deployment(ns, 'kustomize-controller');
    await applyManifests(client, [d]);
    await setDeploymentStatus(client, ns, 'kustomize-controller', 0);
    const error = await waitForReady(client, [refOf(d)], {
      timeoutMs: 1_500,
      pollIntervalMs: 200,
    }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ReadinessError);
    expect((error as Error).message).toBe(
      'timed out after 1.5s waiting for 1 object to be ready:\n' +
        '  Deployment/waits/kustomize-controller: not ready, Available: 0/1',
    );
  });

  it('reports a Deployment whose spec changed after its last status as not observed', async () => {
    const d = deployment(ns, 'helm-controller');
    await applyManifests(client, [d]);
    await setDeploymentStatus(client, ns, 'helm-controller', 1);
    const changed = deployment(ns, 'helm-controller');
    (changed.spec as { replicas: number }).replicas = 2;
    await applyManifests(client, [changed]);
    await expect(
      waitForReady(client, [refOf(d)], { timeoutMs: 500, pollIntervalMs: 100 }),
    ).rejects.toThrow(
      'Deployment/waits/helm-controller: not ready, generation 2 not observed yet (status.observedGeneration is 1)',
    );
  });

  it('waits for Flux objects to report the expected revision with Ready=True', async () => {
    const repo = repository('flux-system');
    const ks = kustomization('flux-system');
    await applyManifests(client, [repo, ks]);
    const succeeded = {
      type: 'Ready',
      status: 'True',
      reason: 'Succeeded',
      message: `stored artifact for digest '${revision}'`,
    };
    await setFluxStatus(client, repo, {
      conditions: [succeeded],
      artifact: { revision: 'latest@sha256:old' },
    });
    const logger = recordingLogger();
    await Promise.all([
      waitForReady(
        client,
        [
          { ...refOf(repo), expectedRevision: revision },
          { ...refOf(ks), expectedRevision: revision },
        ],
        { timeoutMs: 20_000, pollIntervalMs: 200, logger },
      ),
      later(800, async () => {
        await setFluxStatus(client, repo, { conditions: [succeeded], artifact: { revision } });
        await setFluxStatus(client, ks, {
          conditions: [
            {
              type: 'Ready',
              status: 'True',
              reason: 'ReconciliationSucceeded',
              message: `Applied revision: ${revision}`,
            },
          ],
          lastAttemptedRevision: revision,
          lastAppliedRevision: revision,
        });
      }),
    ]);
    expect(logger.lines.filter((l) => l.startsWith('✔'))).toEqual([
      `✔ OCIRepository/waits/flux-system ready: Ready=True (Succeeded): stored artifact for digest '${revision}' (revision ${revision})`,
      `✔ Kustomization/waits/flux-system ready: Ready=True (ReconciliationSucceeded): Applied revision: ${revision} (revision ${revision})`,
    ]);
  });

  it('stops early on Ready=False for the expected revision and aggregates every object not ready', async () => {
    const ks = kustomization('apps');
    const repo = repository('apps');
    await applyManifests(client, [ks, repo]);
    await setFluxStatus(client, ks, {
      conditions: [
        {
          type: 'Ready',
          status: 'False',
          reason: 'BuildFailed',
          message:
            'kustomization path not found: stat /tmp/kustomization/clusters/prod: no such file or directory',
        },
      ],
      lastAttemptedRevision: revision,
    });
    const started = Date.now();
    const error = await waitForReady(
      client,
      [
        { ...refOf(ks), expectedRevision: revision },
        { ...refOf(repo), expectedRevision: revision },
      ],
      { timeoutMs: 60_000, pollIntervalMs: 200 },
    ).catch((e: unknown) => e);
    expect(Date.now() - started).toBeLessThan(10_000);
    expect(error).toBeInstanceOf(ReadinessError);
    expect((error as ReadinessError).timedOut).toBe(false);
    expect((error as Error).message).toBe(
      '1 object failed:\n' +
        '  Kustomization/waits/apps: Ready=False (BuildFailed): kustomization path not found: stat /tmp/kustomization/clusters/prod: no such file or directory\n' +
        `  OCIRepository/waits/apps: not ready, generation 1 not observed yet (no status.observedGeneration); no Ready condition yet`,
    );
  });

  it('fails at once on a suspended Flux object', async () => {
    const ks = kustomization('suspended', { suspend: true });
    await applyManifests(client, [ks]);
    await expect(waitForReady(client, [refOf(ks)], { timeoutMs: 60_000 })).rejects.toThrow(
      'Kustomization/waits/suspended: suspended (spec.suspend is true)',
    );
  });

  it('reports an object that does not exist as not found on timeout', async () => {
    await expect(
      waitForReady(client, [refOf(kustomization('missing'))], {
        timeoutMs: 300,
        pollIntervalMs: 100,
      }),
    ).rejects.toThrow('Kustomization/waits/missing: not ready, not found');
  });
});
