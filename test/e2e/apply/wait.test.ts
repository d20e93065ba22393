// Readiness waits against a real kube-apiserver with Flux's real CRDs (source-controller and
// kustomize-controller v1.9.5, so every status written here passes their schemas). No
// controller runs in this file; what the tests write through the status subresource, and
// what it stands for:
// - Deployment status: the deployment controller and the kubelet, which the harness does
//   not run (no nodes, so no pods).
// - OCIRepository and Kustomization status: source-controller and kustomize-controller at
//   chosen moments (an older revision, then the expected one; a build failure while the
//   other object is not yet observed). The same waits with the real controllers pulling
//   from a real registry are in flux-controllers.test.ts.
// Suspended and missing objects need no controller: those states are real here.
import { jest } from '@jest/globals';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { startCluster } from '../harness/cluster.js';
import { applyFiles } from '../harness/apply.js';
import { fluxCrdFiles } from '../harness/flux.js';
import { START_TIMEOUT, STOP_TIMEOUT, teardown } from '../harness/teardown.js';
import { loadKubeConfig } from '../../../src/kube/kubeconfig.js';
import { KubeClient } from '../../../src/kube/client.js';
import { applyManifests } from '../../../src/bootstrap/apply/apply-manifests.js';
import { waitForReady } from '../../../src/bootstrap/readiness/wait-for-ready.js';
import { ReadinessError } from '../../../src/bootstrap/readiness/readiness-error.js';
import { UserError } from '../../../src/errors.js';
import { refOf, type KubeObject } from '../../../src/kube/object.js';
import {
  deployment,
  namespace,
  recordingLogger,
  setDeploymentStatus,
  setFluxStatus,
} from './fixtures.js';
import type { ProgressLogger } from '../../../src/bootstrap/progress-logger.js';

jest.setTimeout(120_000);

let cluster: Awaited<ReturnType<typeof startCluster>>;
let client: KubeClient;
const ns = 'waits';
const digest = `sha256:${'a'.repeat(64)}`;
const revision = `latest@${digest}`;
const now = new Date().toISOString().replace(/\.\d+Z$/, 'Z');

const repository = (name: string): KubeObject => ({
  apiVersion: 'source.toolkit.fluxcd.io/v1',
  kind: 'OCIRepository',
  metadata: { name, namespace: ns },
  spec: { url: 'oci://registry.example/flux-system', interval: '1m', ref: { tag: 'latest' } },
});
const kustomization = (name: string, spec: Record<string, unknown> = {}): KubeObject => ({
  apiVersion: 'kustomize.toolkit.fluxcd.io/v1',
  kind: 'Kustomization',
  metadata: { name, namespace: ns },
  spec: {
    path: './',
    prune: true,
    interval: '10m',
    sourceRef: { kind: 'OCIRepository', name },
    ...spec,
  },
});
/** A condition as the controllers write it (the CRD schema requires every field). */
const condition = (status: string, reason: string, message: string) => ({
  type: 'Ready',
  status,
  reason,
  message,
  lastTransitionTime: now,
});
/** An artifact as source-controller records it. */
const artifact = (rev: string) => ({
  revision: rev,
  digest,
  path: `ocirepository/${ns}/flux-system/${digest.slice(7, 19)}.tar.gz`,
  url: `http://source-controller.flux-system.svc.cluster.local./${digest.slice(7, 19)}.tar.gz`,
  lastUpdateTime: now,
});

beforeAll(async () => {
  cluster = await startCluster();
  client = new KubeClient(loadKubeConfig({ kubeconfig: cluster.kubeconfigPath }));
  await applyFiles(cluster.kubeconfigPath, await fluxCrdFiles());
  await applyManifests(client, [namespace(ns)]);
}, START_TIMEOUT);
afterAll(() => teardown({ cluster }), STOP_TIMEOUT);

/**
 * Runs a wait and, once it has polled and reported the objects not ready (and not before),
 * makes `change`, what a controller would do next: the wait must see it on a later poll.
 */
async function changeWhileWaiting(
  wait: (logger: ProgressLogger) => Promise<void>,
  change: () => Promise<void>,
): Promise<string[]> {
  const logger = recordingLogger();
  let onWaiting = (): void => undefined;
  const reportedWaiting = new Promise<void>((resolve) => (onWaiting = resolve));
  const log = { ...logger, waiting: (m: string) => (logger.waiting(m), onWaiting()) };
  let settled = false;
  const waiting = wait(log).finally(() => (settled = true));
  await Promise.race([
    reportedWaiting,
    waiting.then(() => {
      throw new Error(`the wait ended before reporting that it waits:\n${logger.lines.join('\n')}`);
    }),
  ]);
  expect(settled).toBe(false);
  await change();
  await waiting;
  return logger.lines;
}

describe('waitForReady', () => {
  it('fails at once, naming the object and the status, when the user may not read it', async () => {
    // A real identity without rights: a ServiceAccount's token, no RoleBinding.
    await applyManifests(client, [
      { apiVersion: 'v1', kind: 'ServiceAccount', metadata: { name: 'nobody', namespace: ns } },
    ]);
    const { status } = await client.request<{ status: { token: string } }>(
      'POST',
      `/api/v1/namespaces/${ns}/serviceaccounts/nobody/token`,
      { body: { apiVersion: 'authentication.k8s.io/v1', kind: 'TokenRequest', spec: {} } },
    );
    const kubeconfig = join(cluster.dir, 'nobody.kubeconfig');
    writeFileSync(
      kubeconfig,
      JSON.stringify({
        apiVersion: 'v1',
        kind: 'Config',
        clusters: [
          {
            name: 'c',
            cluster: { server: cluster.server, 'certificate-authority': cluster.caFile },
          },
        ],
        users: [{ name: 'nobody', user: { token: status.token } }],
        contexts: [{ name: 'c', context: { cluster: 'c', user: 'nobody' } }],
        'current-context': 'c',
      }),
    );
    const nobody = new KubeClient(loadKubeConfig({ kubeconfig }));
    const started = Date.now();
    const error = await waitForReady(nobody, [refOf(kustomization('forbidden'))], {
      timeoutMs: 60_000,
      pollIntervalMs: 200,
    }).catch((err: unknown) => err);
    expect(error).toBeInstanceOf(UserError);
    expect((error as Error).message).toMatch(
      /^cannot read Kustomization\/waits\/forbidden: the API server answered 403 Forbidden \(.*system:serviceaccount:waits:nobody.*\): give the kubeconfig's user the right to get it$/,
    );
    // Not the timeout: the first look ends it.
    expect(Date.now() - started).toBeLessThan(30_000);
  });

  it('waits for a Deployment until its status says all replicas are available', async () => {
    const d = deployment(ns, 'source-controller');
    await applyManifests(client, [d]);
    await setDeploymentStatus(client, ns, 'source-controller', 0);
    const lines = await changeWhileWaiting(
      (logger) =>
        waitForReady(client, [refOf(d)], { timeoutMs: 60_000, pollIntervalMs: 200, logger }),
      () => setDeploymentStatus(client, ns, 'source-controller', 1),
    );
    expect(lines).toEqual([
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
    const succeeded = condition('True', 'Succeeded', `stored artifact for digest '${revision}'`);
    // Ready, but for an older revision: the wait must not take it.
    const older = `latest@sha256:${'0'.repeat(64)}`;
    await setFluxStatus(client, repo, { conditions: [succeeded], artifact: artifact(older) });
    const lines = await changeWhileWaiting(
      (logger) =>
        waitForReady(
          client,
          [
            { ...refOf(repo), expectedRevision: revision },
            { ...refOf(ks), expectedRevision: revision },
          ],
          { timeoutMs: 60_000, pollIntervalMs: 200, logger },
        ),
      async () => {
        await setFluxStatus(client, repo, {
          conditions: [succeeded],
          artifact: artifact(revision),
        });
        await setFluxStatus(client, ks, {
          conditions: [
            condition('True', 'ReconciliationSucceeded', `Applied revision: ${revision}`),
          ],
          lastAttemptedRevision: revision,
          lastAppliedRevision: revision,
        });
      },
    );
    expect(lines.filter((l) => l.startsWith('✔'))).toEqual([
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
        condition(
          'False',
          'BuildFailed',
          'kustomization path not found: stat /tmp/kustomization/clusters/prod: no such file or directory',
        ),
      ],
      lastAttemptedRevision: revision,
    });
    const error = await waitForReady(
      client,
      [
        { ...refOf(ks), expectedRevision: revision },
        { ...refOf(repo), expectedRevision: revision },
      ],
      { timeoutMs: 60_000, pollIntervalMs: 200 },
    ).catch((e: unknown) => e);
    // Not a timeout: it stopped at the failure (the timeout is far beyond any poll).
    expect(error).toBeInstanceOf(ReadinessError);
    expect((error as ReadinessError).timedOut).toBe(false);
    expect((error as Error).message).toBe(
      '1 object failed:\n' +
        '  Kustomization/waits/apps: Ready=False (BuildFailed): kustomization path not found: stat /tmp/kustomization/clusters/prod: no such file or directory\n' +
        // The real CRD defaults status.observedGeneration to -1 (the fake one left it unset).
        `  OCIRepository/waits/apps: not ready, generation 1 not observed yet (status.observedGeneration is -1); no Ready condition yet`,
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
