import { formatTrace, goTime } from '../../../src/flux/trace/format-trace.js';
import type { ObjectTrace } from '../../../src/flux/trace/object-trace.js';

// The layout is flux2 cmd/flux/trace.go's template; the e2e test (trace-cli) compares our
// output with the real `flux trace` byte for byte on a healthy cluster. These cover the
// branches a healthy cluster does not reach.
const healthy: ObjectTrace = {
  object: { apiVersion: 'apps/v1', kind: 'Deployment', name: 'podinfo', namespace: 'apps' },
  kustomization: {
    name: 'apps',
    namespace: 'flux-system',
    path: './apps',
    lastAppliedRevision: 'v1@sha256:aa',
    ready: {
      status: 'True',
      reason: 'ReconciliationSucceeded',
      message: 'Applied revision: v1@sha256:aa',
      lastTransitionTime: '2026-12-01T01:02:03Z',
    },
  },
  ociRepository: {
    name: 'apps',
    namespace: 'flux-system',
    url: 'oci://ghcr.io/acme/apps',
    tag: 'v1',
    revision: 'v1@sha256:aa',
    digest: 'sha256:aa',
    ready: {
      status: 'True',
      message: "stored artifact for digest 'v1@sha256:aa'",
      lastTransitionTime: '2026-12-01T01:02:00Z',
    },
  },
  origin: { source: 'https://github.com/acme/apps', revision: 'main@sha1:0123' },
  artifactMetadata: {
    'org.opencontainers.image.source': 'https://github.com/acme/apps',
    'org.opencontainers.image.revision': 'main@sha1:0123',
  },
};

describe('formatTrace', () => {
  test("a healthy trace in flux's layout", () => {
    expect(formatTrace(healthy)).toBe(
      [
        '',
        'Object:          Deployment/podinfo',
        'Namespace:       apps',
        'Status:          Managed by Flux',
        '---',
        'Kustomization:   apps',
        'Namespace:       flux-system',
        'Path:            ./apps',
        'Revision:        v1@sha256:aa',
        'Status:          Last reconciled at 2026-12-01 01:02:03 +0000 UTC',
        'Message:         Applied revision: v1@sha256:aa',
        '---',
        'OCIRepository:   apps',
        'Namespace:       flux-system',
        'URL:             oci://ghcr.io/acme/apps',
        'Tag:             v1',
        'Revision:        v1@sha256:aa',
        'Origin Revision: main@sha1:0123',
        'Origin Source:   https://github.com/acme/apps',
        'Status:          Last reconciled at 2026-12-01 01:02:00 +0000 UTC',
        "Message:         stored artifact for digest 'v1@sha256:aa'",
        '',
      ].join('\n'),
    );
  });

  test('a cluster-scoped object has no Namespace line; a target namespace has its line', () => {
    const text = formatTrace({
      ...healthy,
      object: { apiVersion: 'v1', kind: 'Namespace', name: 'apps' },
      kustomization: { ...healthy.kustomization, targetNamespace: 'apps' },
    });
    expect(text.split('\n').slice(1, 3)).toEqual([
      'Object:          Namespace/apps',
      'Status:          Managed by Flux',
    ]);
    expect(text).toContain('\nNamespace:       flux-system\nTarget:          apps\nPath:  ');
  });

  test('a failed pull says so; a Kustomization not reported yet is Unknown', () => {
    const text = formatTrace({
      ...healthy,
      kustomization: { name: 'apps', namespace: 'flux-system', path: '' },
      ociRepository: {
        name: 'apps',
        namespace: 'flux-system',
        url: 'oci://ghcr.io/acme/apps',
        semver: '>=1.0.0',
        ready: {
          status: 'False',
          message: 'failed to get credential',
          lastTransitionTime: '2026-12-01T00:00:09Z',
        },
      },
      origin: undefined,
      artifactMetadata: undefined,
    });
    expect(text).toContain(
      '\nPath:            \nRevision:        \nStatus:          Unknown\n---\n',
    );
    // No artifact: no Revision and no origin lines under the OCIRepository.
    expect(
      text.endsWith(
        [
          'URL:             oci://ghcr.io/acme/apps',
          'Tag:             >=1.0.0',
          'Status:          Last reconciliation failed at 2026-12-01 00:00:09 +0000 UTC',
          'Message:         failed to get credential',
          '',
        ].join('\n'),
      ),
    ).toBe(true);
  });

  test('a pinned digest is shown as Digest; an annotation missing leaves an empty line, as in flux', () => {
    const text = formatTrace({
      ...healthy,
      ociRepository: { ...healthy.ociRepository, tag: undefined, refDigest: 'sha256:aa' },
      origin: { source: 'https://github.com/acme/apps' },
      artifactMetadata: { 'org.opencontainers.image.source': 'https://github.com/acme/apps' },
    });
    expect(text).toContain(
      '\nDigest:          sha256:aa\nRevision:        v1@sha256:aa\n\nOrigin Source:   https://github.com/acme/apps\n',
    );
  });

  test('an artifact without annotations has no origin lines', () => {
    const text = formatTrace({ ...healthy, origin: undefined, artifactMetadata: undefined });
    expect(text).toContain('\nRevision:        v1@sha256:aa\nStatus:          Last reconciled');
    expect(text).not.toContain('Origin');
  });

  test('text from the cluster prints as one inert line', () => {
    const text = formatTrace({
      ...healthy,
      origin: { source: 'https://evil\n\u001b[2Jx', revision: 'main@sha1:0123' },
    });
    expect(text).toContain('\nOrigin Source:   https://evil\\n\\x1b[2Jx\n');
  });
});

describe('goTime', () => {
  test('prints an RFC 3339 time as Go prints a metav1.Time in UTC', () => {
    expect(goTime('2026-12-01T01:02:03Z')).toBe('2026-12-01 01:02:03 +0000 UTC');
    expect(goTime('2026-12-01T02:02:03+01:00')).toBe('2026-12-01 01:02:03 +0000 UTC');
    expect(goTime(undefined)).toBe('0001-01-01 00:00:00 +0000 UTC');
  });
});
