// The applier on Flux's real component manifests (v2.9.4 release bundle fixture): staged
// apply of the real CRDs, Deployments and RBAC, readiness against the real CRD schemas, and
// uninstall. No controller runs; status is written through the status subresource.
import { jest } from '@jest/globals';
import { join } from 'node:path';
import { startCluster } from '../harness/cluster.js';
import { loadKubeConfig } from '../../../src/bootstrap/apply/kubeconfig.js';
import { KubeClient } from '../../../src/bootstrap/apply/kube-client.js';
import { applyManifests } from '../../../src/bootstrap/apply/apply-manifests.js';
import { waitForReady } from '../../../src/bootstrap/apply/wait-for-ready.js';
import { uninstallFlux } from '../../../src/bootstrap/apply/uninstall-flux.js';
import { refOf, type KubeObject } from '../../../src/bootstrap/apply/kube-object.js';
import { generateComponents } from '../../../src/flux/generate-components.js';
import { loadLocalManifests } from '../../../src/flux/manifests-source.js';
import { recordingLogger, setDeploymentStatus, setFluxStatus } from './fixtures.js';

jest.setTimeout(180_000);

const BUNDLE = join(import.meta.dirname, '..', '..', 'fixtures', 'flux-bundle');
const revision = `latest@sha256:${'c'.repeat(64)}`;

let cluster: Awaited<ReturnType<typeof startCluster>>;
let client: KubeClient;
let components: { text: string; objects: readonly KubeObject[] };

beforeAll(async () => {
  cluster = await startCluster();
  client = new KubeClient(loadKubeConfig({ kubeconfig: cluster.kubeconfigPath }));
  const generated = generateComponents(await loadLocalManifests(BUNDLE, 'v2.9.4'));
  components = { text: generated.text, objects: generated.objects };
});
afterAll(async () => {
  await cluster?.stop();
});

const deployments = () => components.objects.filter((o) => o.kind === 'Deployment');

describe('the applier on the Flux v2.9.4 components', () => {
  it('creates every object, CRDs and the Namespace first', async () => {
    const started = Date.now();
    const changes = await applyManifests(client, components.text);
    process.stderr.write(`first apply of ${changes.length} objects: ${Date.now() - started} ms\n`);
    expect(changes).toHaveLength(components.objects.length);
    expect(new Set(changes.map((c) => c.action))).toEqual(new Set(['created']));
    const firstOther = changes.findIndex(
      (c) => c.ref.kind !== 'Namespace' && c.ref.kind !== 'CustomResourceDefinition',
    );
    expect(changes.slice(firstOther).some((c) => c.ref.kind === 'CustomResourceDefinition')).toBe(
      false,
    );
    expect(changes[0]!.ref).toEqual({ apiVersion: 'v1', kind: 'Namespace', name: 'flux-system' });
  });

  it('reports everything unchanged on the second run', async () => {
    const started = Date.now();
    const changes = await applyManifests(client, components.text);
    process.stderr.write(`no-op apply of ${changes.length} objects: ${Date.now() - started} ms\n`);
    expect(
      changes
        .filter((c) => c.action !== 'unchanged')
        .map((c) => `${c.ref.kind}/${c.ref.name} ${c.action}`),
    ).toEqual([]);
  });

  it('leaves every component alone once the flux-components Kustomization owns it', async () => {
    // What kustomize-controller does after the hand-off: it labels what it applies.
    const owner = {
      'kustomize.toolkit.fluxcd.io/name': 'flux-components',
      'kustomize.toolkit.fluxcd.io/namespace': 'flux-system',
    };
    for (const object of components.objects) {
      await client.apply(
        {
          ...object,
          metadata: { ...object.metadata, labels: { ...object.metadata.labels, ...owner } },
        },
        { fieldManager: 'kustomize-controller', force: true },
      );
    }
    const changes = await applyManifests(client, components.text, {
      skipOwnedBy: { name: 'flux-components', namespace: 'flux-system' },
    });
    expect(new Set(changes.map((c) => c.action))).toEqual(new Set(['skipped']));
  });

  it('names every controller not ready, then passes once their status reports them available', async () => {
    const targets = deployments().map(refOf);
    expect(targets.map((t) => t.name)).toEqual([
      'source-controller',
      'kustomize-controller',
      'helm-controller',
      'notification-controller',
    ]);
    const error = await waitForReady(client, targets, {
      timeoutMs: 500,
      pollIntervalMs: 100,
    }).catch((e: Error) => e);
    expect((error as Error).message).toBe(
      'timed out after 500ms waiting for 4 objects to be ready:\n' +
        targets
          .map(
            (t) =>
              `  Deployment/flux-system/${t.name}: not ready, generation 1 not observed yet (no status.observedGeneration)`,
          )
          .join('\n'),
    );
    for (const t of targets) await setDeploymentStatus(client, 'flux-system', t.name, 1);
    const logger = recordingLogger();
    await waitForReady(client, targets, { timeoutMs: 10_000, logger });
    expect(logger.lines.filter((l) => l.startsWith('✔'))).toHaveLength(4);
  });

  it('waits for a real OCIRepository and Kustomization to reach the pushed revision', async () => {
    const repo: KubeObject = {
      apiVersion: 'source.toolkit.fluxcd.io/v1',
      kind: 'OCIRepository',
      metadata: { name: 'flux-system', namespace: 'flux-system' },
      spec: {
        interval: '1m',
        url: 'oci://registry.example/fleet/flux-system',
        ref: { tag: 'latest' },
      },
    };
    const ks: KubeObject = {
      apiVersion: 'kustomize.toolkit.fluxcd.io/v1',
      kind: 'Kustomization',
      metadata: { name: 'flux-system', namespace: 'flux-system' },
      spec: {
        interval: '10m',
        path: './',
        prune: true,
        sourceRef: { kind: 'OCIRepository', name: 'flux-system' },
      },
    };
    await applyManifests(client, [repo, ks]);
    const now = new Date().toISOString().replace(/\.\d+Z$/, 'Z');
    const condition = (status: string, reason: string, message: string) => ({
      type: 'Ready',
      status,
      reason,
      message,
      lastTransitionTime: now,
      observedGeneration: 1,
    });
    await setFluxStatus(client, repo, {
      conditions: [condition('True', 'Succeeded', `stored artifact for digest '${revision}'`)],
      artifact: {
        revision,
        digest: `sha256:${'d'.repeat(64)}`,
        path: 'ocirepository/flux-system/flux-system/c.tar.gz',
        url: 'http://source-controller.flux-system.svc.cluster.local./c.tar.gz',
        lastUpdateTime: now,
      },
    });
    await setFluxStatus(client, ks, {
      conditions: [condition('False', 'BuildFailed', 'kustomization path not found: ./')],
      lastAttemptedRevision: revision,
    });
    const targets = [
      { ...refOf(repo), expectedRevision: revision },
      { ...refOf(ks), expectedRevision: revision },
    ];
    await expect(waitForReady(client, targets, { timeoutMs: 30_000 })).rejects.toThrow(
      '1 object failed:\n  Kustomization/flux-system/flux-system: Ready=False (BuildFailed): kustomization path not found: ./',
    );
    await setFluxStatus(client, ks, {
      conditions: [condition('True', 'ReconciliationSucceeded', `Applied revision: ${revision}`)],
      lastAttemptedRevision: revision,
      lastAppliedRevision: revision,
    });
    await waitForReady(client, targets, { timeoutMs: 10_000 });
  });

  it('uninstalls everything flux install created', async () => {
    const logger = recordingLogger();
    const report = await uninstallFlux(client, { logger });
    const expected = components.objects
      .filter((o) => !['Namespace', 'CustomResourceDefinition'].includes(o.kind))
      .map((o) => o.kind);
    expect(report.finalizersRemoved).toEqual([]);
    expect(report.deleted.filter((d) => d.startsWith('CustomResourceDefinition/'))).toHaveLength(
      components.objects.filter((o) => o.kind === 'CustomResourceDefinition').length,
    );
    expect(report.deleted.at(-1)).toBe('Namespace/flux-system');
    expect(new Set(report.deleted.map((d) => d.split('/')[0]))).toEqual(
      new Set([...expected, 'CustomResourceDefinition', 'Namespace']),
    );
    expect(logger.lines.filter((l) => l.startsWith('✗'))).toEqual([]);
  });
});
