import { hasDrifted } from '../../../src/bootstrap/apply/drift.js';
import type { KubeObject } from '../../../src/kube/object.js';

const stored: KubeObject = {
  apiVersion: 'v1',
  kind: 'Namespace',
  metadata: { name: 'flux-system', labels: { a: '1' }, resourceVersion: '7' },
  spec: { finalizers: ['kubernetes'] },
  status: { phase: 'Active' },
};

describe('hasDrifted', () => {
  it('ignores managedFields, resourceVersion and status', () => {
    const dryRun: KubeObject = {
      ...stored,
      metadata: {
        ...stored.metadata,
        managedFields: [{ manager: 'before-first-apply' }],
        resourceVersion: '8',
      },
      status: { phase: 'Terminating' },
    };
    expect(hasDrifted(stored, dryRun)).toBe(false);
  });

  it('sees changed labels, annotations and spec', () => {
    expect(
      hasDrifted(stored, { ...stored, metadata: { ...stored.metadata, labels: { a: '2' } } }),
    ).toBe(true);
    expect(
      hasDrifted(stored, { ...stored, metadata: { ...stored.metadata, annotations: { b: '1' } } }),
    ).toBe(true);
    expect(hasDrifted(stored, { ...stored, spec: { finalizers: [] } })).toBe(true);
  });
});
