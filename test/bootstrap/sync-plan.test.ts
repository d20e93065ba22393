// The sync plan's Secret choices (RFC story 1 and 2): which Secret each OCIRepository refers
// to, and which Secrets the secrets phase must write, for one registry, two registries and a
// Workload Identity provider.
import type { BootstrapOciOptions } from '../../src/bootstrap/options/options.js';
import { resolveBootstrapOptions } from '../../src/bootstrap/options/resolve-options.js';
import { planSync, type SyncPlan } from '../../src/bootstrap/sync-plan.js';

const digest = `sha256:${'e'.repeat(64)}`;

function plan(options: Omit<BootstrapOciOptions, 'clusterPath'>): SyncPlan {
  return planSync(resolveBootstrapOptions({ clusterPath: 'production', ...options }), digest);
}

/** The `spec.secretRef.name` of each OCIRepository, by object name (null: none). */
function secretRefs(p: SyncPlan): Record<string, string | null> {
  const refs: Record<string, string | null> = {};
  for (const o of p.objects.filter((o) => o.kind === 'OCIRepository')) {
    const spec = o.spec as { secretRef?: { name: string } };
    refs[o.metadata.name] = spec.secretRef?.name ?? null;
  }
  return refs;
}

describe('planSync: registry Secrets', () => {
  test('one registry, one user: the fleet artifact reuses the components Secret', () => {
    const p = plan({
      url: 'oci://registry.example/flux/components:production',
      username: 'flux',
      clusterUrl: 'oci://registry.example/fleet/cluster:production',
    });
    expect(p.sameRegistry).toBe(true);
    expect(p.componentsSecret).toBe('flux-components');
    expect(p.clusterSecret).toBeUndefined();
    expect(secretRefs(p)).toEqual({
      'flux-components': 'flux-components',
      'flux-system': 'flux-components',
    });
  });

  test('one registry, a fleet user of its own: two Secrets', () => {
    const p = plan({
      url: 'oci://registry.example/flux/components:production',
      username: 'flux',
      clusterUrl: 'oci://registry.example/fleet/cluster:production',
      clusterUsername: 'fleet-reader',
    });
    expect(p.componentsSecret).toBe('flux-components');
    expect(p.clusterSecret).toBe('flux-system');
    expect(secretRefs(p)).toEqual({
      'flux-components': 'flux-components',
      'flux-system': 'flux-system',
    });
  });

  test('two registries with their own users: two Secrets, each OCIRepository its own', () => {
    const p = plan({
      url: 'oci://components.example/flux/components:production',
      username: 'flux',
      clusterUrl: 'oci://fleet.example/fleet/cluster:production',
      clusterUsername: 'fleet-reader',
    });
    expect(p.sameRegistry).toBe(false);
    expect(p.componentsSecret).toBe('flux-components');
    expect(p.clusterSecret).toBe('flux-system');
    expect(secretRefs(p)).toEqual({
      'flux-components': 'flux-components',
      'flux-system': 'flux-system',
    });
  });

  test('two registries, no fleet user: the components credentials do not go to the other registry', () => {
    const p = plan({
      url: 'oci://components.example/flux/components:production',
      username: 'flux',
      clusterUrl: 'oci://fleet.example/fleet/cluster:production',
    });
    expect(p.sameRegistry).toBe(false);
    expect(p.clusterSecret).toBeUndefined();
    expect(secretRefs(p)).toEqual({ 'flux-components': 'flux-components', 'flux-system': null });
  });

  test('the same host on another port is another registry', () => {
    const p = plan({
      url: 'oci://127.0.0.1:5000/flux/components:production',
      username: 'flux',
      clusterUrl: 'oci://127.0.0.1:5001/fleet/cluster:production',
    });
    expect(p.sameRegistry).toBe(false);
    expect(secretRefs(p)['flux-system']).toBeNull();
  });

  test('anonymous access: no Secret at all', () => {
    const p = plan({
      url: 'oci://registry.example/flux/components:production',
      clusterUrl: 'oci://registry.example/fleet/cluster:production',
    });
    expect(p.componentsSecret).toBeUndefined();
    expect(p.clusterSecret).toBeUndefined();
    expect(secretRefs(p)).toEqual({ 'flux-components': null, 'flux-system': null });
  });

  test('Workload Identity (provider aws): no Secret, the provider on both OCIRepositories', () => {
    const p = plan({
      url: 'oci://123456789012.dkr.ecr.eu-west-1.amazonaws.com/flux/components:production',
      provider: 'aws',
      clusterUrl: 'oci://123456789012.dkr.ecr.eu-west-1.amazonaws.com/fleet/cluster:production',
    });
    expect(p.componentsSecret).toBeUndefined();
    expect(p.clusterSecret).toBeUndefined();
    expect(secretRefs(p)).toEqual({ 'flux-components': null, 'flux-system': null });
    for (const o of p.objects.filter((o) => o.kind === 'OCIRepository')) {
      expect((o.spec as { provider?: string }).provider).toBe('aws');
    }
  });

  test('a CA file: one CA Secret, referred to by both OCIRepositories', () => {
    const p = plan({
      url: 'oci://components.example/flux/components:production',
      username: 'flux',
      clusterUrl: 'oci://fleet.example/fleet/cluster:production',
      clusterUsername: 'fleet-reader',
      caFile: '/etc/ssl/registry-ca.pem',
    });
    expect(p.caSecret).toBe('flux-registry-ca');
    for (const o of p.objects.filter((o) => o.kind === 'OCIRepository')) {
      expect((o.spec as { certSecretRef?: { name: string } }).certSecretRef).toEqual({
        name: 'flux-registry-ca',
      });
    }
  });

  test('without a cluster artifact: only the components objects and Secret', () => {
    const p = planSync(
      resolveBootstrapOptions({
        url: 'oci://registry.example/flux/components:production',
        username: 'flux',
      }),
      digest,
    );
    expect(p.cluster).toBeUndefined();
    expect(p.clusterSecret).toBeUndefined();
    expect(p.objects.map((o) => `${o.kind}/${o.metadata.name}`)).toEqual([
      'OCIRepository/flux-components',
      'Kustomization/flux-components',
    ]);
  });
});

describe('planSync: revisions and deletion', () => {
  test('the components revision is tag@digest, or the digest when pinned', () => {
    const url = 'oci://registry.example/flux/components:production';
    expect(planSync(resolveBootstrapOptions({ url }), digest).componentsRevision).toBe(
      `production@${digest}`,
    );
    const pinned = planSync(resolveBootstrapOptions({ url, pinByDigest: true }), digest);
    expect(pinned.componentsRevision).toBe(digest);
    const repo = pinned.objects.find((o) => o.metadata.name === 'flux-components')!;
    expect((repo.spec as { ref: unknown }).ref).toEqual({ digest });
  });

  test('every Kustomization orphans what it applied when it is deleted', () => {
    const p = plan({
      url: 'oci://registry.example/flux/components:production',
      clusterUrl: 'oci://registry.example/fleet/cluster:production',
    });
    const kustomizations = p.objects.filter((o) => o.kind === 'Kustomization');
    expect(kustomizations).toHaveLength(2);
    for (const k of kustomizations) {
      expect((k.spec as { deletionPolicy?: string }).deletionPolicy).toBe('Orphan');
    }
  });
});

describe('planSync: the flux-system path', () => {
  const kustomizationPath = (p: SyncPlan): string | undefined =>
    (
      p.objects.find((o) => o.kind === 'Kustomization' && o.metadata.name === 'flux-system')
        ?.spec as { path?: string } | undefined
    )?.path;
  const options = {
    url: 'oci://registry.example/flux/components:production',
    clusterUrl: 'oci://registry.example/fleet/cluster:production',
  };

  // RFC story 1: --cluster-path=clusters/production, nothing prepended.
  test('is the cluster path as given', () =>
    expect(
      kustomizationPath(
        planSync(
          resolveBootstrapOptions({ ...options, clusterPath: 'clusters/production' }),
          digest,
        ),
      ),
    ).toBe('./clusters/production'));

  test("is the artifact's root without a cluster path", () =>
    expect(kustomizationPath(planSync(resolveBootstrapOptions(options), digest))).toBe('./'));
});
