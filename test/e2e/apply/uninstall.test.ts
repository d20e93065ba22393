// Uninstall against a real kube-apiserver with kube-controller-manager (namespace deletion,
// garbage collection), in `flux uninstall`'s order.
import { jest } from '@jest/globals';
import { setTimeout as sleep } from 'node:timers/promises';
import { startCluster } from '../harness/cluster.js';
import { START_TIMEOUT, STOP_TIMEOUT, teardown } from '../harness/teardown.js';
import { loadKubeConfig } from '../../../src/kube/kubeconfig.js';
import { KubeClient } from '../../../src/kube/client.js';
import { applyManifests } from '../../../src/bootstrap/apply/apply-manifests.js';
import { uninstallFlux } from '../../../src/bootstrap/uninstall-phase.js';
import { UninstallError } from '../../../src/bootstrap/uninstall-phase.js';
import type { KubeObject } from '../../../src/kube/object.js';
import {
  deployment,
  fluxComponentLabels,
  fluxLikeCrd,
  namespace,
  recordingLogger,
} from './fixtures.js';

jest.setTimeout(120_000);

let cluster: Awaited<ReturnType<typeof startCluster>>;
let client: KubeClient;

beforeAll(async () => {
  cluster = await startCluster();
  client = new KubeClient(loadKubeConfig({ kubeconfig: cluster.kubeconfigPath }));
}, START_TIMEOUT);
afterAll(() => teardown({ cluster }), STOP_TIMEOUT);

/** What `flux install` puts in a namespace, in miniature, plus Flux objects with finalizers. */
function fluxInstallation(ns: string): KubeObject[] {
  const labels = fluxComponentLabels(ns);
  const meta = (name: string) => ({ name, namespace: ns, labels });
  return [
    { ...namespace(ns), metadata: { name: ns, labels } },
    fluxLikeCrd('OCIRepository', 'ocirepositories'),
    fluxLikeCrd('Kustomization', 'kustomizations'),
    deployment(ns, 'source-controller', labels),
    {
      apiVersion: 'v1',
      kind: 'Service',
      metadata: meta('source-controller'),
      spec: { ports: [{ port: 80 }] },
    },
    { apiVersion: 'v1', kind: 'ServiceAccount', metadata: meta('source-controller') },
    {
      apiVersion: 'networking.k8s.io/v1',
      kind: 'NetworkPolicy',
      metadata: meta('allow-egress'),
      spec: { podSelector: {}, policyTypes: ['Egress'], egress: [{}] },
    },
    {
      apiVersion: 'v1',
      kind: 'ResourceQuota',
      metadata: meta('critical-pods'),
      spec: { hard: { pods: '1000' } },
    },
    {
      apiVersion: 'rbac.authorization.k8s.io/v1',
      kind: 'ClusterRole',
      metadata: { name: `crd-controller-${ns}`, labels },
      rules: [],
    },
    {
      apiVersion: 'rbac.authorization.k8s.io/v1',
      kind: 'ClusterRoleBinding',
      metadata: { name: `cluster-reconciler-${ns}`, labels },
      roleRef: {
        apiGroup: 'rbac.authorization.k8s.io',
        kind: 'ClusterRole',
        name: 'cluster-admin',
      },
      subjects: [{ kind: 'ServiceAccount', name: 'kustomize-controller', namespace: ns }],
    },
    {
      apiVersion: 'test.toolkit.fluxcd.io/v1',
      kind: 'OCIRepository',
      metadata: { name: ns, namespace: ns, finalizers: ['finalizers.fluxcd.io'] },
      spec: { url: 'oci://registry.example/flux-system' },
    },
    {
      apiVersion: 'test.toolkit.fluxcd.io/v1',
      kind: 'Kustomization',
      metadata: { name: 'apps', namespace: 'apps', finalizers: ['finalizers.fluxcd.io'] },
      spec: { prune: true },
    },
  ];
}

/** What Flux applied: workloads labelled by kustomize-controller, not part of Flux. */
function fluxAppliedWorkloads(ns: string): KubeObject[] {
  const owner = {
    'kustomize.toolkit.fluxcd.io/name': ns,
    'kustomize.toolkit.fluxcd.io/namespace': ns,
  };
  return [
    namespace('apps'),
    deployment('apps', 'podinfo', owner),
    {
      apiVersion: 'rbac.authorization.k8s.io/v1',
      kind: 'ClusterRole',
      metadata: { name: 'podinfo-reader', labels: owner },
      rules: [],
    },
  ];
}

const crdRef = (plural: string) => ({
  apiVersion: 'apiextensions.k8s.io/v1',
  kind: 'CustomResourceDefinition',
  name: `${plural}.test.toolkit.fluxcd.io`,
});

async function exists(ref: { apiVersion: string; kind: string; name: string; namespace?: string }) {
  return (await client.get(ref)) !== undefined;
}

async function waitUntilGone(ref: { apiVersion: string; kind: string; name: string }, ms = 30_000) {
  const deadline = Date.now() + ms;
  while (await exists(ref)) {
    if (Date.now() > deadline) throw new Error(`${ref.kind}/${ref.name} still exists`);
    await sleep(200);
  }
}

describe('uninstallFlux', () => {
  it('lists what it would delete on a dry run and deletes nothing', async () => {
    await applyManifests(client, [
      ...fluxInstallation('flux-system'),
      ...fluxAppliedWorkloads('flux-system'),
    ]);
    const logger = recordingLogger();
    const report = await uninstallFlux(client, { dryRun: true, logger });
    expect(report.deleted).toEqual([
      'Deployment/flux-system/source-controller',
      'Service/flux-system/source-controller',
      'NetworkPolicy/flux-system/allow-egress',
      'ServiceAccount/flux-system/source-controller',
      'ResourceQuota/flux-system/critical-pods',
      'ClusterRole/crd-controller-flux-system',
      'ClusterRoleBinding/cluster-reconciler-flux-system',
      'CustomResourceDefinition/kustomizations.test.toolkit.fluxcd.io',
      'CustomResourceDefinition/ocirepositories.test.toolkit.fluxcd.io',
      'Namespace/flux-system',
    ]);
    expect(report.finalizersRemoved).toEqual([
      'Kustomization/apps/apps',
      'OCIRepository/flux-system/flux-system',
    ]);
    expect(logger.lines).toContain('✔ Deployment/flux-system/source-controller deleted (dry run)');
    expect(logger.lines.at(-1)).toBe('✔ Namespace/flux-system deleted (dry run)');
    expect(
      await exists({
        apiVersion: 'apps/v1',
        kind: 'Deployment',
        namespace: 'flux-system',
        name: 'source-controller',
      }),
    ).toBe(true);
    expect(await exists(crdRef('kustomizations'))).toBe(true);
    const ks = await client.get({
      apiVersion: 'test.toolkit.fluxcd.io/v1',
      kind: 'Kustomization',
      namespace: 'apps',
      name: 'apps',
    });
    expect(ks?.metadata.finalizers).toEqual(['finalizers.fluxcd.io']);
  });

  it("removes components, then finalizers, then CRDs in flux's order, keeping the namespace and Flux-applied workloads", async () => {
    const logger = recordingLogger();
    await uninstallFlux(client, { keepNamespace: true, logger });
    const steps = logger.lines.filter((l) => l.startsWith('►'));
    expect(steps).toEqual([
      '► deleting components in flux-system namespace',
      '► deleting toolkit.fluxcd.io finalizers in all namespaces',
      '► deleting toolkit.fluxcd.io custom resource definitions',
    ]);
    const index = (line: string) => logger.lines.indexOf(line);
    expect(index('✔ ClusterRoleBinding/cluster-reconciler-flux-system deleted')).toBeLessThan(
      index('✔ Kustomization/apps/apps finalizers deleted'),
    );
    expect(index('✔ Kustomization/apps/apps finalizers deleted')).toBeLessThan(
      index('✔ CustomResourceDefinition/kustomizations.test.toolkit.fluxcd.io deleted'),
    );
    expect(logger.lines.some((l) => l.includes('Namespace/flux-system'))).toBe(false);

    // The CRDs take their custom resources along; without finalizers nothing blocks them.
    await waitUntilGone(crdRef('kustomizations'));
    await waitUntilGone(crdRef('ocirepositories'));
    for (const [kind, apiVersion, name, ns] of [
      ['Deployment', 'apps/v1', 'source-controller', 'flux-system'],
      ['Service', 'v1', 'source-controller', 'flux-system'],
      ['ServiceAccount', 'v1', 'source-controller', 'flux-system'],
      ['NetworkPolicy', 'networking.k8s.io/v1', 'allow-egress', 'flux-system'],
      ['ResourceQuota', 'v1', 'critical-pods', 'flux-system'],
      ['ClusterRole', 'rbac.authorization.k8s.io/v1', 'crd-controller-flux-system', undefined],
      [
        'ClusterRoleBinding',
        'rbac.authorization.k8s.io/v1',
        'cluster-reconciler-flux-system',
        undefined,
      ],
    ] as const) {
      expect(`${kind}/${name} ${await exists({ kind, apiVersion, name, namespace: ns })}`).toBe(
        `${kind}/${name} false`,
      );
    }
    const kept = await client.get({ apiVersion: 'v1', kind: 'Namespace', name: 'flux-system' });
    expect(kept?.metadata.deletionTimestamp).toBeUndefined();
    expect(
      await exists({
        apiVersion: 'apps/v1',
        kind: 'Deployment',
        namespace: 'apps',
        name: 'podinfo',
      }),
    ).toBe(true);
    expect(
      await exists({
        apiVersion: 'rbac.authorization.k8s.io/v1',
        kind: 'ClusterRole',
        name: 'podinfo-reader',
      }),
    ).toBe(true);
  });

  it('tolerates what is already gone', async () => {
    const logger = recordingLogger();
    const report = await uninstallFlux(client, { keepNamespace: true, logger });
    expect(report).toEqual({ deleted: [], finalizersRemoved: [] });
    expect(logger.lines.filter((l) => l.startsWith('✗'))).toEqual([]);
    const missingNamespace = await uninstallFlux(client, { namespace: 'never-installed' });
    expect(missingNamespace).toEqual({ deleted: [], finalizersRemoved: [] });
  });

  it('deletes the namespace unless kept, and only the components of its own instance', async () => {
    await applyManifests(client, [
      ...fluxInstallation('flux-system'),
      ...fluxInstallation('other-flux'),
    ]);
    const report = await uninstallFlux(client, { namespace: 'flux-system' });
    expect(report.deleted).toContain('Namespace/flux-system');
    expect(report.deleted).not.toContain('ClusterRole/crd-controller-other-flux');
    await waitUntilGone({ apiVersion: 'v1', kind: 'Namespace', name: 'flux-system' });
    expect(
      await exists({
        apiVersion: 'apps/v1',
        kind: 'Deployment',
        namespace: 'other-flux',
        name: 'source-controller',
      }),
    ).toBe(true);
    expect(
      await exists({
        apiVersion: 'rbac.authorization.k8s.io/v1',
        kind: 'ClusterRole',
        name: 'crd-controller-other-flux',
      }),
    ).toBe(true);
  });

  it('carries on past a deletion the cluster refuses and reports it at the end', async () => {
    await applyManifests(client, fluxInstallation('guarded'));
    // An admission policy that refuses to delete one Service, as a cluster's guard rails may.
    const policy: KubeObject = {
      apiVersion: 'admissionregistration.k8s.io/v1',
      kind: 'ValidatingAdmissionPolicy',
      metadata: { name: 'keep-guarded-service' },
      spec: {
        failurePolicy: 'Fail',
        matchConstraints: {
          resourceRules: [
            {
              apiGroups: [''],
              apiVersions: ['v1'],
              operations: ['DELETE'],
              resources: ['services'],
            },
          ],
        },
        validations: [
          {
            expression: "oldObject.metadata.namespace != 'guarded'",
            message: 'Services in guarded are protected',
          },
        ],
      },
    };
    const binding: KubeObject = {
      apiVersion: 'admissionregistration.k8s.io/v1',
      kind: 'ValidatingAdmissionPolicyBinding',
      metadata: { name: 'keep-guarded-service' },
      spec: { policyName: 'keep-guarded-service', validationActions: ['Deny'] },
    };
    await applyManifests(client, [policy, binding]);
    const service = {
      apiVersion: 'v1',
      kind: 'Service',
      namespace: 'guarded',
      name: 'source-controller',
    };
    const deadline = Date.now() + 30_000;
    // The policy takes effect once the API server has loaded it.
    while (
      await client.delete(service, { dryRun: true }).then(
        () => Date.now() < deadline,
        () => false,
      )
    ) {
      await sleep(200);
    }

    const logger = recordingLogger();
    const error = await uninstallFlux(client, {
      namespace: 'guarded',
      keepNamespace: true,
      logger,
    }).catch((e: unknown) => e);
    await client.delete(binding);
    await client.delete(policy);
    expect(error).toBeInstanceOf(UninstallError);
    expect((error as Error).message).toMatch(
      /^uninstall incomplete, 1 step failed:\n {2}Service\/guarded\/source-controller deletion failed: .*Services in guarded are protected/,
    );
    expect((error as UninstallError).report.deleted).toContain(
      'Deployment/guarded/source-controller',
    );
    expect(logger.lines).toContain('► deleting toolkit.fluxcd.io custom resource definitions');
    await waitUntilGone(crdRef('kustomizations'));
    expect(await exists(service)).toBe(true);
  });

  it("waits for the controllers' pods to stop before removing finalizers", async () => {
    await applyManifests(client, [
      ...fluxInstallation('paced'),
      controllerPod('paced', 'kustomize-controller-7d9f'),
    ]);
    const pod = {
      apiVersion: 'v1',
      kind: 'Pod',
      namespace: 'paced',
      name: 'kustomize-controller-7d9f',
    };
    const logger = recordingLogger();
    let onWaiting = (): void => undefined;
    const waiting = new Promise<void>((resolve) => (onWaiting = resolve));
    const log = { ...logger, waiting: (m: string) => (logger.waiting(m), onWaiting()) };
    let settled = false;
    const uninstalling = uninstallFlux(client, {
      namespace: 'paced',
      keepNamespace: true,
      logger: log,
    }).finally(() => (settled = true));
    await Promise.race([
      waiting,
      uninstalling.then(() => {
        throw new Error(
          `uninstall finished without waiting for the pod:\n${logger.lines.join('\n')}`,
        );
      }),
    ]);
    // The uninstall is waiting on the pod: it has not gone on to the finalizers.
    expect(settled).toBe(false);
    expect(logger.lines.at(-1)).toBe('◎ waiting for 1 Flux controller pod(s) in paced to stop');
    expect(logger.lines.some((l) => l.includes('finalizers'))).toBe(false);
    expect(await exists(pod)).toBe(true);
    await client.delete(pod); // what the kubelet does once the container has exited
    await uninstalling;
    const index = (prefix: string) => logger.lines.findIndex((l) => l.startsWith(prefix));
    expect(index('► deleting toolkit.fluxcd.io finalizers')).toBeGreaterThan(
      index('◎ waiting for 1 Flux controller pod(s)'),
    );
    expect(logger.lines.filter((l) => l.startsWith('✗'))).toEqual([]);
  });

  it('goes on after a bounded wait when a controller pod does not stop', async () => {
    await applyManifests(client, [
      ...fluxInstallation('stuck'),
      controllerPod('stuck', 'source-controller-5c4b'),
    ]);
    const logger = recordingLogger();
    await uninstallFlux(client, {
      namespace: 'stuck',
      keepNamespace: true,
      controllersTimeoutMs: 500,
      logger,
    });
    expect(logger.lines).toContain(
      '✗ controller pods still running, continuing: source-controller-5c4b',
    );
    expect(logger.lines).toContain('► deleting toolkit.fluxcd.io custom resource definitions');
  });
});

/** A controller pod as the Deployment's ReplicaSet would create it (it never runs here). */
function controllerPod(ns: string, name: string): KubeObject {
  return {
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: { name, namespace: ns, labels: fluxComponentLabels(ns) },
    spec: {
      containers: [{ name: 'manager', image: 'ghcr.io/fluxcd/kustomize-controller:v1.9.5' }],
    },
  };
}
