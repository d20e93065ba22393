// The applier on Flux's real component manifests (Flux 2.9.5's source-controller and
// kustomize-controller, test/fixtures/flux-components): staged apply of the real CRDs,
// Deployments and RBAC; the real controllers, started on the CRDs the applier installed,
// bringing an OCIRepository and a Kustomization to a pushed revision; and uninstall.
//
// What the test writes itself, and what it stands for:
// - Deployment status: the deployment controller and the kubelet, which the harness does
//   not run (no nodes, so no pods); the controllers run as local processes instead.
// - The `kustomize.toolkit.fluxcd.io/name` labels on the components: kustomize-controller
//   taking them over after the hand-off; the real take-over is in bootstrap-cli.test.ts
//   ("kustomize-controller has taken the components over", "a second run leaves the
//   components to Flux").
import { jest } from '@jest/globals';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startRegistry, type TestRegistry } from '../../support/registry.js';
import { startCluster } from '../harness/cluster.js';
import { startFlux, type Flux } from '../harness/flux.js';
import { tail } from '../harness/process.js';
import { pushArtifact } from '../harness/push-artifact.js';
import { START_TIMEOUT, STOP_TIMEOUT, teardown } from '../harness/teardown.js';
import { loadKubeConfig } from '../../../src/kube/kubeconfig.js';
import { KubeClient } from '../../../src/kube/client.js';
import { applyManifests } from '../../../src/bootstrap/apply/apply-manifests.js';
import { waitForReady } from '../../../src/bootstrap/readiness/wait-for-ready.js';
import { uninstallFlux } from '../../../src/bootstrap/uninstall-phase.js';
import { refOf, type KubeObject } from '../../../src/kube/object.js';
import { generateComponents } from '../../../src/flux/generate-components.js';
import { loadLocalManifests } from '../../../src/flux/manifests/source.js';
import { recordingLogger, setDeploymentStatus } from './fixtures.js';

jest.setTimeout(180_000);

const BUNDLE = join(import.meta.dirname, '..', '..', 'fixtures', 'flux-components');
const COMPONENTS = ['source-controller', 'kustomize-controller'];

let cluster: Awaited<ReturnType<typeof startCluster>>;
let client: KubeClient;
let components: { text: string; objects: readonly KubeObject[] };
let registry: TestRegistry | undefined;
let flux: Flux | undefined;
let work: string | undefined;

beforeAll(async () => {
  cluster = await startCluster();
  client = new KubeClient(loadKubeConfig({ kubeconfig: cluster.kubeconfigPath }));
  const generated = generateComponents(await loadLocalManifests(BUNDLE, 'v2.9.5'), {
    components: COMPONENTS,
  });
  components = { text: generated.text, objects: generated.objects };
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

const deployments = () => components.objects.filter((o) => o.kind === 'Deployment');

describe('the applier on the Flux v2.9.5 components', () => {
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
    expect(targets.map((t) => t.name)).toEqual(COMPONENTS);
    const error = await waitForReady(client, targets, {
      timeoutMs: 500,
      pollIntervalMs: 100,
    }).catch((e: Error) => e);
    expect((error as Error).message).toBe(
      'timed out after 500ms waiting for 2 objects to be ready:\n' +
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
    expect(logger.lines.filter((l) => l.startsWith('✔'))).toHaveLength(2);
  });

  it('waits until the real controllers, on the CRDs it installed, reach the pushed revision', async () => {
    work = await mkdtemp(join(tmpdir(), 'flux-oci-components-'));
    registry = await startRegistry();
    const tree = join(work, 'tree');
    await mkdir(tree);
    await writeFile(
      join(tree, 'app.yaml'),
      'apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: from-fleet\n  namespace: default\ndata:\n  k: v\n',
    );
    const pushed = await pushArtifact(registry.url, 'fleet/flux-system', 'latest', tree, work);
    const revision = `latest@${pushed.digest}`;
    // The controllers start on the CRDs the applier installed, as their Deployments would.
    flux = await startFlux(cluster, { installCrds: false });
    const repo: KubeObject = {
      apiVersion: 'source.toolkit.fluxcd.io/v1',
      kind: 'OCIRepository',
      metadata: { name: 'flux-system', namespace: 'flux-system' },
      spec: {
        interval: '1m',
        url: `oci://${registry.host}/fleet/flux-system`,
        ref: { tag: 'latest' },
        insecure: true,
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
    const logger = recordingLogger();
    await waitForReady(
      client,
      [
        { ...refOf(repo), expectedRevision: revision },
        { ...refOf(ks), expectedRevision: revision },
      ],
      { timeoutMs: 120_000, logger },
    ).catch((e: Error) => {
      e.message += `\nsource-controller:\n${tail(flux!.logs.sourceController)}\nkustomize-controller:\n${tail(flux!.logs.kustomizeController)}`;
      throw e;
    });
    expect(logger.lines.filter((l) => l.startsWith('✔'))).toEqual([
      expect.stringMatching(/^✔ OCIRepository\/flux-system\/flux-system ready: Ready=True /),
      expect.stringMatching(
        /^✔ Kustomization\/flux-system\/flux-system ready: Ready=True \(ReconciliationSucceeded\)/,
      ),
    ]);
    // On a real cluster, uninstall deletes the controllers' Deployments first; here they are
    // processes, so stop them as that would.
    await flux.stop();
    flux = undefined;
  }, 600_000); // starts a registry and both controllers

  it('uninstalls everything flux install created', async () => {
    const logger = recordingLogger();
    const report = await uninstallFlux(client, { logger });
    const expected = components.objects
      .filter((o) => !['Namespace', 'CustomResourceDefinition'].includes(o.kind))
      .map((o) => o.kind);
    // The controllers put their finalizers on the objects they reconciled.
    expect([...report.finalizersRemoved].sort()).toEqual([
      'Kustomization/flux-system/flux-system',
      'OCIRepository/flux-system/flux-system',
    ]);
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
