// Manifests and helpers shared by the applier's end-to-end tests.
import type { KubeObject } from '../../../src/kube/object.js';
import type { KubeClient } from '../../../src/kube/client.js';
import type { ProgressLogger } from '../../../src/bootstrap/progress-logger.js';

/** Labels `flux install` puts on its components. */
export function fluxComponentLabels(namespace: string): Record<string, string> {
  return {
    'app.kubernetes.io/part-of': 'flux',
    'app.kubernetes.io/instance': namespace,
  };
}

/**
 * A CustomResourceDefinition shaped like Flux's (group under toolkit.fluxcd.io, status
 * subresource, labelled part of Flux), small enough to write by hand until the real Flux
 * CRDs are available.
 */
export function fluxLikeCrd(
  kind: string,
  plural: string,
  group = 'test.toolkit.fluxcd.io',
): KubeObject {
  return {
    apiVersion: 'apiextensions.k8s.io/v1',
    kind: 'CustomResourceDefinition',
    metadata: { name: `${plural}.${group}`, labels: fluxComponentLabels('flux-system') },
    spec: {
      group,
      names: { kind, listKind: `${kind}List`, plural, singular: kind.toLowerCase() },
      scope: 'Namespaced',
      versions: [
        {
          name: 'v1',
          served: true,
          storage: true,
          subresources: { status: {} },
          schema: {
            openAPIV3Schema: {
              type: 'object',
              properties: {
                spec: { type: 'object', 'x-kubernetes-preserve-unknown-fields': true },
                status: { type: 'object', 'x-kubernetes-preserve-unknown-fields': true },
              },
            },
          },
        },
      ],
    },
  };
}

export function namespace(name: string): KubeObject {
  return { apiVersion: 'v1', kind: 'Namespace', metadata: { name } };
}

export function configMap(ns: string, name: string, data: Record<string, string>): KubeObject {
  return { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name, namespace: ns }, data };
}

export function deployment(
  ns: string,
  name: string,
  labels: Record<string, string> = {},
): KubeObject {
  return {
    apiVersion: 'apps/v1',
    kind: 'Deployment',
    metadata: { name, namespace: ns, labels },
    spec: {
      replicas: 1,
      selector: { matchLabels: { app: name } },
      template: {
        metadata: { labels: { app: name } },
        spec: { containers: [{ name: 'manager', image: `ghcr.io/fluxcd/${name}:v1.0.0` }] },
      },
    },
  };
}

/** Writes a Deployment's status the way the deployment controller and kubelets would. */
export async function setDeploymentStatus(
  client: KubeClient,
  ns: string,
  name: string,
  available: number,
): Promise<void> {
  const ref = { apiVersion: 'apps/v1', kind: 'Deployment', namespace: ns, name };
  const current = await client.get(ref);
  await client.mergePatch(
    ref,
    {
      status: {
        observedGeneration: current!.metadata.generation,
        replicas: 1,
        updatedReplicas: 1,
        readyReplicas: available,
        availableReplicas: available,
        conditions: [
          {
            type: 'Available',
            status: available > 0 ? 'True' : 'False',
            reason: available > 0 ? 'MinimumReplicasAvailable' : 'MinimumReplicasUnavailable',
            message:
              available > 0
                ? 'Deployment has minimum availability.'
                : 'Deployment does not have minimum availability.',
          },
          {
            type: 'Progressing',
            status: 'True',
            reason: available > 0 ? 'NewReplicaSetAvailable' : 'ReplicaSetUpdated',
            message: `ReplicaSet "${name}-5d9c7b" is progressing.`,
          },
        ],
      },
    },
    { subresource: 'status' },
  );
}

/** Writes a Flux object's status the way its controller would. */
export async function setFluxStatus(
  client: KubeClient,
  object: KubeObject,
  status: Record<string, unknown>,
): Promise<void> {
  const current = await client.get(object);
  await client.mergePatch(
    object,
    { status: { observedGeneration: current!.metadata.generation, ...status } },
    { subresource: 'status' },
  );
}

/** A ProgressLogger that keeps its lines, prefixed like the stderr one. */
export function recordingLogger(): ProgressLogger & { lines: string[] } {
  const lines: string[] = [];
  return {
    lines,
    step: (m) => lines.push(`► ${m}`),
    success: (m) => lines.push(`✔ ${m}`),
    failure: (m) => lines.push(`✗ ${m}`),
    waiting: (m) => lines.push(`◎ ${m}`),
  };
}
