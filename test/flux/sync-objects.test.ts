import { Kustomization } from '@kubernetes-models/flux-cd/kustomize.toolkit.fluxcd.io/v1';
import { OCIRepository } from '@kubernetes-models/flux-cd/source.toolkit.fluxcd.io/v1';
import { UserError } from '../../src/errors.js';
import {
  clusterSyncObjects,
  componentsSyncObjects,
  normalizeSyncPath,
  ociRepositoryObject,
} from '../../src/flux/sync-objects.js';

const DIGEST = `sha256:${'a'.repeat(64)}`;

describe('sync objects', () => {
  test('flux-components: OCIRepository every 1m on the tag, Kustomization 1h / retry 5m, path ./, prune', () => {
    const [repo, ks] = componentsSyncObjects({
      url: 'oci://registry.example.com/flux/components',
      tag: 'v1',
      secretName: 'flux-components',
    });
    expect(repo).toEqual({
      apiVersion: 'source.toolkit.fluxcd.io/v1',
      kind: 'OCIRepository',
      metadata: { name: 'flux-components', namespace: 'flux-system' },
      spec: {
        interval: '1m',
        ref: { tag: 'v1' },
        secretRef: { name: 'flux-components' },
        url: 'oci://registry.example.com/flux/components',
      },
    });
    expect(ks).toEqual({
      apiVersion: 'kustomize.toolkit.fluxcd.io/v1',
      kind: 'Kustomization',
      metadata: { name: 'flux-components', namespace: 'flux-system' },
      spec: {
        interval: '1h',
        path: './',
        prune: true,
        retryInterval: '5m',
        sourceRef: { kind: 'OCIRepository', name: 'flux-components' },
      },
    });
    expect(() => new OCIRepository(repo as never).validate()).not.toThrow();
    expect(() => new Kustomization(ks as never).validate()).not.toThrow();
  });

  test('flux-system: cluster path, digest pin, provider, CA, insecure, cosign verification', () => {
    const [repo, ks] = clusterSyncObjects({
      namespace: 'flux',
      url: 'oci://123456789012.dkr.ecr.eu-west-1.amazonaws.com/fleet',
      digest: DIGEST,
      provider: 'aws',
      certSecretName: 'registry-ca',
      insecure: true,
      verify: {
        secretName: 'cosign-pub',
        matchOidcIdentity: [
          {
            issuer: '^https://token.actions.githubusercontent.com$',
            subject: '^https://github.com/org/.*$',
          },
        ],
      },
      path: 'clusters/prod',
    });
    expect(repo.metadata).toEqual({ name: 'flux-system', namespace: 'flux' });
    expect(repo.spec).toEqual({
      certSecretRef: { name: 'registry-ca' },
      insecure: true,
      interval: '1m',
      provider: 'aws',
      ref: { digest: DIGEST },
      url: 'oci://123456789012.dkr.ecr.eu-west-1.amazonaws.com/fleet',
      verify: {
        matchOIDCIdentity: [
          {
            issuer: '^https://token.actions.githubusercontent.com$',
            subject: '^https://github.com/org/.*$',
          },
        ],
        provider: 'cosign',
        secretRef: { name: 'cosign-pub' },
      },
    });
    expect((ks.spec as { path: string }).path).toBe('./clusters/prod');
  });

  test('the tag defaults to latest; notation verification', () => {
    const repo = ociRepositoryObject({
      name: 'x',
      url: 'oci://localhost:5000/x',
      verify: { provider: 'notation', secretName: 'trust' },
    });
    expect((repo.spec as { ref: unknown }).ref).toEqual({ tag: 'latest' });
    expect((repo.spec as { verify: unknown }).verify).toEqual({
      provider: 'notation',
      secretRef: { name: 'trust' },
    });
  });

  test.each([
    [{ url: 'https://ghcr.io/x' }, /not an OCI repository URL; write it as oci:/],
    [{ url: 'oci://ghcr.io/x:v1' }, /includes a tag or digest/],
    [{ url: 'oci://ghcr.io/x', tag: 'bad tag' }, /tag "bad tag" is not a valid OCI tag/],
    [{ url: 'oci://ghcr.io/x', digest: 'sha256:zz' }, /digest "sha256:zz" is not a sha256 digest/],
    [
      { url: 'oci://ghcr.io/x', namespace: 'Flux_System' },
      /namespace "Flux_System" is not a valid DNS label/,
    ],
    [
      { url: 'oci://ghcr.io/x', secretName: 'Bad_Name' },
      /secret name "Bad_Name" is not a valid Kubernetes name/,
    ],
    [
      { url: 'oci://ghcr.io/x', provider: 'gcp' as const, secretName: 'creds' },
      /cannot be combined with provider gcp/,
    ],
    [
      { url: 'oci://ghcr.io/x', interval: 'every minute' },
      /interval "every minute" is not a duration/,
    ],
    [{ url: 'oci://ghcr.io/x', retryInterval: '5' }, /retry interval "5" is not a duration/],
  ])('refuses %j', (bad, message) => {
    expect(() => componentsSyncObjects(bad)).toThrow(UserError);
    expect(() => componentsSyncObjects(bad)).toThrow(message);
  });

  test('paths are normalised to ./<path> and may not climb out', () => {
    expect(normalizeSyncPath('./')).toBe('./');
    expect(normalizeSyncPath('')).toBe('./');
    expect(normalizeSyncPath('clusters/prod/')).toBe('./clusters/prod');
    expect(normalizeSyncPath('/clusters/prod')).toBe('./clusters/prod');
    expect(() => normalizeSyncPath('../etc')).toThrow(/climbs out/);
  });
});
