import { deploymentReadiness } from '../../../src/bootstrap/readiness/object-readiness.js';
import { fluxObjectReadiness } from '../../../src/bootstrap/readiness/object-readiness.js';
import { crdReadiness } from '../../../src/bootstrap/readiness/object-readiness.js';
import { objectReadiness } from '../../../src/bootstrap/readiness/object-readiness.js';
import type { KubeObject } from '../../../src/kube/object.js';

function deployment(status: Record<string, unknown>, generation = 2, replicas = 1): KubeObject {
  return {
    apiVersion: 'apps/v1',
    kind: 'Deployment',
    metadata: { name: 'source-controller', namespace: 'flux-system', generation },
    spec: { replicas },
    status,
  };
}

const rolledOut = {
  observedGeneration: 2,
  replicas: 1,
  updatedReplicas: 1,
  readyReplicas: 1,
  availableReplicas: 1,
  conditions: [
    { type: 'Available', status: 'True', reason: 'MinimumReplicasAvailable' },
    { type: 'Progressing', status: 'True', reason: 'NewReplicaSetAvailable' },
  ],
};

describe('deploymentReadiness', () => {
  it('is ready when every replica is updated, available and ready', () => {
    expect(deploymentReadiness(deployment(rolledOut))).toEqual({
      state: 'ready',
      message: 'Deployment is available. Replicas: 1',
    });
  });

  it('waits for the controller to observe the latest generation', () => {
    expect(deploymentReadiness(deployment({ ...rolledOut, observedGeneration: 1 }))).toEqual({
      state: 'inProgress',
      message: 'generation 2 not observed yet (status.observedGeneration is 1)',
    });
  });

  it.each([
    [{ replicas: 1, updatedReplicas: 0 }, 'Updated: 0/1'],
    [
      { replicas: 2, updatedReplicas: 1, availableReplicas: 1, readyReplicas: 1 },
      'Pending termination: 1',
    ],
    [{ replicas: 1, updatedReplicas: 1, availableReplicas: 0 }, 'Available: 0/1'],
    [{ replicas: 1, updatedReplicas: 1, availableReplicas: 1, readyReplicas: 0 }, 'Ready: 0/1'],
    [{ replicas: 0 }, 'Replicas: 0/1'],
  ])('counts replicas: %j → %s', (counts, message) => {
    const zero = { replicas: 0, updatedReplicas: 0, availableReplicas: 0, readyReplicas: 0 };
    const status = Object.assign({ ...rolledOut }, zero, counts);
    expect(deploymentReadiness(deployment(status))).toEqual({ state: 'inProgress', message });
  });

  it('waits for the new ReplicaSet and the Available condition', () => {
    const progressing = { ...rolledOut, conditions: [rolledOut.conditions[0]] };
    expect(deploymentReadiness(deployment(progressing)).message).toBe('ReplicaSet not Available');
    const unavailable = { ...rolledOut, conditions: [rolledOut.conditions[1]] };
    expect(deploymentReadiness(deployment(unavailable)).message).toBe('Deployment not Available');
  });

  it('fails when the progress deadline is exceeded', () => {
    const stuck = {
      ...rolledOut,
      conditions: [
        {
          type: 'Progressing',
          status: 'False',
          reason: 'ProgressDeadlineExceeded',
          message: 'ReplicaSet "source-controller-abc" has timed out progressing.',
        },
      ],
    };
    expect(deploymentReadiness(deployment(stuck))).toEqual({
      state: 'failed',
      message:
        'progress deadline exceeded: ReplicaSet "source-controller-abc" has timed out progressing.',
    });
  });
});

function kustomization(
  status: Record<string, unknown>,
  spec: Record<string, unknown> = {},
): KubeObject {
  return {
    apiVersion: 'kustomize.toolkit.fluxcd.io/v1',
    kind: 'Kustomization',
    metadata: { name: 'flux-system', namespace: 'flux-system', generation: 3 },
    spec,
    status,
  };
}

const revision = 'latest@sha256:' + 'a'.repeat(64);
const readyTrue = {
  type: 'Ready',
  status: 'True',
  reason: 'ReconciliationSucceeded',
  message: `Applied revision: ${revision}`,
};
const readyFalse = {
  type: 'Ready',
  status: 'False',
  reason: 'BuildFailed',
  message: 'kustomization path not found: ./clusters/prod',
};

describe('fluxObjectReadiness', () => {
  it('is ready with Ready=True at the observed generation and the expected revision', () => {
    const k = kustomization({
      observedGeneration: 3,
      lastAttemptedRevision: revision,
      lastAppliedRevision: revision,
      conditions: [readyTrue],
    });
    expect(fluxObjectReadiness(k, revision)).toEqual({
      state: 'ready',
      message: `Ready=True (ReconciliationSucceeded): Applied revision: ${revision} (revision ${revision})`,
    });
  });

  it('fails at once when suspended', () => {
    expect(fluxObjectReadiness(kustomization({}, { suspend: true })).state).toBe('failed');
  });

  it('waits while the generation is not observed, quoting the Ready condition', () => {
    const k = kustomization({ observedGeneration: 2, conditions: [readyTrue] });
    expect(fluxObjectReadiness(k)).toEqual({
      state: 'inProgress',
      message: `generation 3 not observed yet (status.observedGeneration is 2); Ready=True (ReconciliationSucceeded): Applied revision: ${revision}`,
    });
  });

  it('waits for the expected revision even when Ready=True for an older one', () => {
    const old = 'latest@sha256:' + 'b'.repeat(64);
    const k = kustomization({
      observedGeneration: 3,
      lastAttemptedRevision: old,
      conditions: [readyTrue],
    });
    const readiness = fluxObjectReadiness(k, revision);
    expect(readiness.state).toBe('inProgress');
    expect(readiness.message).toContain(`revision is ${old}, waiting for ${revision}`);
  });

  it('fails on Ready=False once the expected revision was attempted', () => {
    const k = kustomization({
      observedGeneration: 3,
      lastAttemptedRevision: revision,
      conditions: [readyFalse],
    });
    expect(fluxObjectReadiness(k, revision)).toEqual({
      state: 'failed',
      message: 'Ready=False (BuildFailed): kustomization path not found: ./clusters/prod',
    });
  });

  it('keeps waiting on Ready=False without an expected revision (the controller retries)', () => {
    const k = kustomization({ observedGeneration: 3, conditions: [readyFalse] });
    expect(fluxObjectReadiness(k).state).toBe('inProgress');
  });

  it('takes the generation from the Ready condition when the status has none yet (kustomize-controller before a first success)', () => {
    const failing = kustomization({
      observedGeneration: -1,
      lastAttemptedRevision: revision,
      conditions: [{ ...readyFalse, observedGeneration: 3, message: `${readyFalse.message}\n` }],
    });
    expect(fluxObjectReadiness(failing, revision)).toEqual({
      state: 'failed',
      message: 'Ready=False (BuildFailed): kustomization path not found: ./clusters/prod',
    });
    const stale = kustomization({
      observedGeneration: -1,
      lastAttemptedRevision: revision,
      conditions: [{ ...readyFalse, observedGeneration: 2 }],
    });
    expect(fluxObjectReadiness(stale, revision).state).toBe('inProgress');
  });

  it('fails when Stalled=True', () => {
    const k = kustomization({
      observedGeneration: 3,
      conditions: [
        readyFalse,
        { type: 'Stalled', status: 'True', reason: 'InvalidPath', message: 'no such path' },
      ],
    });
    expect(fluxObjectReadiness(k)).toEqual({
      state: 'failed',
      message: 'Stalled=True (InvalidPath): no such path',
    });
  });

  it("reads an OCIRepository's revision from status.artifact.revision", () => {
    const repo: KubeObject = {
      apiVersion: 'source.toolkit.fluxcd.io/v1',
      kind: 'OCIRepository',
      metadata: { name: 'flux-system', namespace: 'flux-system', generation: 1 },
      status: { observedGeneration: 1, artifact: { revision }, conditions: [readyTrue] },
    };
    expect(objectReadiness(repo, revision).state).toBe('ready');
    expect(objectReadiness(repo, 'v2@sha256:' + 'c'.repeat(64)).state).toBe('inProgress');
  });
});

describe('crdReadiness', () => {
  const crd = (conditions: unknown[]): KubeObject => ({
    apiVersion: 'apiextensions.k8s.io/v1',
    kind: 'CustomResourceDefinition',
    metadata: { name: 'widgets.example.com' },
    status: { conditions },
  });

  it('is ready when Established and names accepted', () => {
    const ok = crd([
      { type: 'NamesAccepted', status: 'True' },
      { type: 'Established', status: 'True' },
    ]);
    expect(crdReadiness(ok).state).toBe('ready');
  });

  it('fails when its names conflict', () => {
    const conflict = crd([
      {
        type: 'NamesAccepted',
        status: 'False',
        reason: 'ListKindConflict',
        message: '"WidgetList" is already in use',
      },
    ]);
    expect(crdReadiness(conflict)).toEqual({
      state: 'failed',
      message: 'NamesAccepted=False (ListKindConflict): "WidgetList" is already in use',
    });
  });

  it('waits while installing', () => {
    expect(
      crdReadiness(crd([{ type: 'Established', status: 'False', reason: 'Installing' }])).state,
    ).toBe('inProgress');
  });
});
