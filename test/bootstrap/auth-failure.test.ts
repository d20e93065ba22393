import {
  authFailureLine,
  authFailureOf,
  judgeAuthFailure,
} from '../../src/bootstrap/readiness/auth-failure.js';
import type { KubeObject } from '../../src/kube/object.js';

// The message source-controller v1.7 sets when the registry answers 401 to a pull.
const UNAUTHORIZED =
  'failed to determine artifact digest: GET https://127.0.0.1:35121/v2/flux/components/manifests/production: UNAUTHORIZED: authentication required; [map[Action:pull Class: Name:flux/components Type:repository]]';

function repo(
  ready: { status: string; reason?: string; message?: string },
  handled?: string,
): KubeObject {
  return {
    apiVersion: 'source.toolkit.fluxcd.io/v1',
    kind: 'OCIRepository',
    metadata: { name: 'flux-components', namespace: 'flux-system', generation: 1 },
    spec: { secretRef: { name: 'flux-components' } },
    status: {
      observedGeneration: 1,
      ...(handled ? { lastHandledReconcileAt: handled } : {}),
      conditions: [{ type: 'Ready', ...ready }],
    },
  };
}

describe('a registry refusing the credentials of an OCIRepository', () => {
  test("is recognised from Flux's reason or the registry's answer, and nothing else", () => {
    expect(
      authFailureOf(
        repo({ status: 'False', reason: 'OCIArtifactPullFailed', message: UNAUTHORIZED }),
      ),
    ).toBe(UNAUTHORIZED);
    expect(
      authFailureOf(
        repo({ status: 'False', reason: 'AuthenticationFailed', message: 'secrets "x" not found' }),
      ),
    ).toBe('secrets "x" not found');
    expect(
      authFailureOf(
        repo({
          status: 'False',
          reason: 'OCIArtifactPullFailed',
          message: 'GET https://r/v2/: 403 Forbidden',
        }),
      ),
    ).toBe('GET https://r/v2/: 403 Forbidden');
    expect(
      authFailureOf(
        repo({
          status: 'False',
          reason: 'OCIArtifactPullFailed',
          message: 'dial tcp: connection refused',
        }),
      ),
    ).toBeUndefined();
    expect(authFailureOf(repo({ status: 'True', message: 'stored artifact' }))).toBeUndefined();
  });

  test('the line names the object, the Secret and the revision prop to raise with its value', () => {
    const object = repo({ status: 'False', message: UNAUTHORIZED });
    expect(
      authFailureLine(
        object,
        'UNAUTHORIZED',
        new Map([['flux-components', { prop: 'passwordRevision', revision: 2 }]]),
      ),
    ).toBe(
      "OCIRepository flux-system/flux-components: the registry refused the credentials in Secret flux-system/flux-components (UNAUTHORIZED): give the registry's current password and raise passwordRevision (now 2) so the next deploy rewrites the Secret",
    );
    // The command's own user re-runs it.
    expect(authFailureLine(object, 'UNAUTHORIZED', new Map())).toBe(
      "OCIRepository flux-system/flux-components: the registry refused the credentials in Secret flux-system/flux-components (UNAUTHORIZED): run the bootstrap again with the registry's current password: its secrets phase rewrites the Secret",
    );
  });

  test('counts only once the controller has handled the reconcile the wait requested; then a refusal is final', () => {
    const judge = judgeAuthFailure('2026-12-01T01:00:00Z', new Map());
    // Stale: Ready from before the request (the password may have changed since) is no answer.
    for (const stale of [
      repo({ status: 'True', message: 'stored artifact' }, '2026-12-01T00:00:00Z'),
      repo({ status: 'False', message: UNAUTHORIZED }),
    ]) {
      expect(judge(stale)).toEqual({
        state: 'inProgress',
        message: expect.stringMatching(
          /^the reconcile requested at 2026-12-01T01:00:00Z is not handled yet; Ready=(True|False)/,
        ),
      });
    }
    expect(judge(repo({ status: 'False', message: UNAUTHORIZED }, '2026-12-01T01:00:00Z'))).toEqual(
      {
        state: 'failed',
        message: expect.stringMatching(
          /^OCIRepository flux-system\/flux-components: the registry refused/,
        ),
      },
    );
    // Handled and not refused: the usual rules decide.
    expect(judge(repo({ status: 'True', message: 'ok' }, '2026-12-01T01:00:00Z'))).toBeUndefined();
  });
});
