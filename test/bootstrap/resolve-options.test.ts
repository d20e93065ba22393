import { resolveBootstrapOptions } from '../../src/bootstrap/options/resolve-options.js';
import type { BootstrapOciOptions } from '../../src/bootstrap/options/options.js';
import { UserError } from '../../src/errors.js';

const url = 'oci://ghcr.io/acme/flux-manifests:production';

function fails(options: Partial<BootstrapOciOptions>, message: RegExp) {
  let error: unknown;
  try {
    resolveBootstrapOptions({ url, ...options } as BootstrapOciOptions);
  } catch (err) {
    error = err;
  }
  expect(error).toBeInstanceOf(UserError);
  expect((error as Error).message).toMatch(message);
}

describe('resolveBootstrapOptions', () => {
  test('applies the RFC defaults', () => {
    const resolved = resolveBootstrapOptions({ url });
    expect(resolved).toMatchObject({
      url,
      provider: 'generic',
      clusterDomain: 'cluster.local',
      components: [
        'source-controller',
        'kustomize-controller',
        'helm-controller',
        'notification-controller',
      ],
      componentsExtra: [],
      logLevel: 'info',
      networkPolicy: true,
      registry: 'ghcr.io/fluxcd',
      watchAllNamespaces: true,
      allowInsecureHttp: false,
      namespace: 'flux-system',
      interval: '1m',
      kustomizationInterval: '1h',
      retryInterval: '5m',
      timeout: '5m',
      pinByDigest: false,
      keepNamespace: false,
    });
    expect(resolved.version).toMatch(/^v2\.\d+\.\d+$/);
  });

  test('normalises the cluster path and version', () => {
    const resolved = resolveBootstrapOptions({
      url,
      clusterUrl: 'oci://ghcr.io/acme/fleet:prod',
      clusterPath: './eu/prod-1/',
      version: '2.7.1',
    });
    expect(resolved.clusterPath).toBe('eu/prod-1');
    expect(resolved.version).toBe('v2.7.1');
  });

  test("the cluster path defaults to the artifact's root with a cluster url", () => {
    const resolved = resolveBootstrapOptions({ url, clusterUrl: 'oci://r.io/fleet:1' });
    expect(resolved.clusterPath).toBe('./');
    expect(resolveBootstrapOptions({ url }).clusterPath).toBeUndefined();
  });
  test('the cluster path is kept as given (RFC story 1)', () =>
    expect(
      resolveBootstrapOptions({
        url,
        clusterUrl: 'oci://r.io/fleet:1',
        clusterPath: 'clusters/production',
      }).clusterPath,
    ).toBe('clusters/production'));
  test('fails on a url pinning a digest', () =>
    fails({ url: `oci://r.io/xy@sha256:${'a'.repeat(64)}` }, /pins a digest: give a tag/));
  test('fails on a url that is no reference', () =>
    fails({ url: 'oci://ghcr.io/' }, /invalid OCI reference "oci:\/\/ghcr.io\/"/));
  test('fails without a url', () => fails({ url: '' }, /--url \(url\) is required/));
  test('fails on a url without oci://', () =>
    fails({ url: 'ghcr.io/acme/x:1' }, /'ghcr.io\/acme\/x:1' is not an OCI URL: write it as oci:/));
  test('fails on a bad cluster url', () =>
    fails(
      { clusterUrl: 'https://x' },
      /--cluster-url \(clusterUrl\) 'https:\/\/x' is not an OCI URL/,
    ));
  test('fails on an unknown provider', () =>
    fails(
      { provider: 'oracle' as 'aws' },
      /--provider \(provider\) 'oracle' is not supported: use one of generic, aws, azure, gcp/,
    ));
  test('fails on credentials with a workload identity provider', () =>
    fails(
      { provider: 'aws', username: 'u' },
      /--username \(username\) is set together with --provider \(provider\) 'aws'/,
    ));
  test('fails on a registry host the provider cannot log in to', () =>
    fails(
      { provider: 'aws', url: 'oci://ghcr.io/acme/flux:production' },
      /^provider aws: registry ghcr\.io is not an Amazon ECR registry/,
    ));
  test('fails on a cluster registry host the provider cannot log in to, unless it has its own user', () => {
    const ecr = 'oci://123456789012.dkr.ecr.eu-west-1.amazonaws.com/flux/components:production';
    fails(
      { provider: 'aws', url: ecr, clusterUrl: 'oci://ghcr.io/acme/fleet:production' },
      /^provider aws: registry ghcr\.io is not an Amazon ECR registry/,
    );
    expect(
      resolveBootstrapOptions({
        url: ecr,
        provider: 'aws',
        clusterUrl: 'oci://ghcr.io/acme/fleet:production',
        clusterUsername: 'fleet',
        clusterPath: 'production',
      }).clusterUrl,
    ).toBe('oci://ghcr.io/acme/fleet:production');
  });
  test('fails on a password without a user name', () =>
    fails({ password: 'p' }, /--password \(password\) is set without --username/));
  test('fails on cluster credentials without a cluster url', () =>
    fails(
      { clusterUsername: 'u' },
      /--cluster-username \(clusterUsername\) is set but --cluster-url/,
    ));
  test('fails on a bad log level', () =>
    fails({ logLevel: 'trace' as 'info' }, /log level "trace" is not supported/));
  test('fails on a namespace that is not a DNS label', () =>
    fails({ namespace: 'Flux_System' }, /"Flux_System" is not a valid DNS label/));
  test('fails on a bad image pull secret name', () =>
    fails({ imagePullSecret: 'My Secret' }, /"My Secret" is not a valid Kubernetes name/));
  test('fails on a bad toleration key', () =>
    fails({ tolerationKeys: ['bad key!'] }, /"bad key!"/));
  test('fails on an unknown component', () =>
    fails({ components: ['nope-controller'] }, /nope-controller/));
  test('fails on a version older than 2.6', () =>
    fails({ version: 'v2.5.1' }, /needs Flux v2.6.0 or later/));
  test('fails on a version that is not one', () =>
    fails({ version: 'banana' }, /"banana" is not a Flux version/));
  test('fails on a bad interval', () =>
    fails(
      { interval: '5 minutes' },
      /invalid --interval \(interval\) '5 minutes': not a duration; write it like 30s, 5m or 1h30m/,
    ));
  test('fails on a Go duration unit that Flux API does not take', () =>
    fails({ retryInterval: '500us' }, /invalid --retry-interval \(retryInterval\) '500us'/));
  test('fails on an interval of zero, which Flux refuses', () => {
    fails({ interval: '0s' }, /invalid --interval \(interval\) '0s': it must be longer than 0/);
    fails(
      { kustomizationInterval: '0h0m' },
      /invalid --kustomization-interval \(kustomizationInterval\) '0h0m': it must be longer than 0/,
    );
  });
  test('fails on an interval longer than a Go duration holds', () =>
    fails(
      { interval: '99999999999999h' },
      /invalid --interval \(interval\) '99999999999999h': longer than 2562047h \(292 years\), the longest Go duration/,
    ));
  test('takes the longest Go duration as an interval', () =>
    expect(resolveBootstrapOptions({ url, interval: '2562047h' }).interval).toBe('2562047h'));
  test('fails on a timeout a Node.js timer cannot wait', () => {
    fails(
      { timeout: '9999999h' },
      /invalid --timeout \(timeout\) '9999999h': longer than 596h31m23s \(24 days\), the longest wait a Node.js timer can do/,
    );
    fails({ timeout: '596h31m24s' }, /invalid --timeout \(timeout\) '596h31m24s': longer than/);
    fails({ timeout: '0s' }, /invalid --timeout \(timeout\) '0s': it must be longer than 0/);
    expect(resolveBootstrapOptions({ url, timeout: '596h31m23s' }).timeout).toBe('596h31m23s');
  });
  test("fails on a user name with ':', which Basic auth cannot carry", () => {
    fails(
      { username: 'flux:admin' },
      /--username \(username\) 'flux:admin' contains ':', which HTTP Basic auth's user-id cannot hold/,
    );
    fails(
      { clusterUrl: 'oci://r.io/fleet:1', clusterPath: 'a', clusterUsername: 'a:b' },
      /--cluster-username \(clusterUsername\) 'a:b' contains ':'/,
    );
  });
  test('a deploy-time user name is checked when it is read, not at synth time', () =>
    expect(
      resolveBootstrapOptions({ url, username: '${TfToken[TOKEN.1]}' }, (v) =>
        v.includes('TfToken'),
      ).username,
    ).toBe('${TfToken[TOKEN.1]}'));
  test('password revisions default to 1 and take whole numbers from 1', () => {
    const withPasswords = {
      username: 'u',
      password: 'p',
      clusterUrl: 'oci://r.io/fleet:1',
      clusterPath: 'a',
      clusterUsername: 'c',
      clusterPassword: 'q',
    };
    expect(resolveBootstrapOptions({ url, ...withPasswords })).toMatchObject({
      passwordRevision: 1,
      clusterPasswordRevision: 1,
    });
    expect(
      resolveBootstrapOptions({ url, ...withPasswords, passwordRevision: 7 }).passwordRevision,
    ).toBe(7);
    fails(
      { ...withPasswords, passwordRevision: 0 },
      /passwordRevision 0 is not a revision: give a whole number from 1/,
    );
    fails(
      { ...withPasswords, clusterPasswordRevision: 1.5 },
      /clusterPasswordRevision 1.5 is not a revision/,
    );
  });
  test('fails on a password revision without the password', () =>
    fails(
      { username: 'u', passwordRevision: 2 },
      /passwordRevision is set without --password \(password\)/,
    ));
  test('fails on a cluster path leaving the artifact', () =>
    fails(
      { clusterUrl: 'oci://r.io/fleet:1', clusterPath: '../etc' },
      /cluster path "..\/etc" must be a plain relative path/,
    ));
  test('fails on an unknown option', () =>
    fails({ unknown: 1 } as Partial<BootstrapOciOptions>, /unknown option 'unknown'/));
  test('fails on a deploy-time reference outside credentials', () => {
    expect(() =>
      resolveBootstrapOptions({ url: '${TfToken[TOKEN.1]}' }, (v) => v.includes('TfToken')),
    ).toThrow(/--url \(url\) must be known at synth time/);
  });
});
