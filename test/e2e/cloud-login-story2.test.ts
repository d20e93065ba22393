// RFC story 2 on the harness: `flux-oci bootstrap oci --provider=aws` on a "bastion" whose
// IAM identity may push to ECR, and the cluster pulling with its own identity (the REAL
// source-controller's `provider: aws` login). ECR's API, the token realm and the registry's
// host name are FAKES (test/support/cloud/fake-cloud.ts; the clouds cannot be reached from
// here) in front of the REAL docker-registry; source-controller reaches the registry host
// through a CONNECT proxy (HTTPS_PROXY) that knows the name, trusts the test CA through
// SSL_CERT_FILE, and gets its own AWS access key, so both sides log in through ECR.
import { KubeConfig, KubernetesObjectApi } from '@kubernetes/client-node';
import { startCluster, type Cluster } from './harness/cluster.js';
import { startFlux, type Flux } from './harness/flux.js';
import { tail } from './harness/process.js';
import { START_TIMEOUT, STOP_TIMEOUT, teardown } from './harness/teardown.js';
import { STORY1_MANIFESTS } from './support/story1.js';
import type { ConnectProxy } from '../support/connect-proxy.js';
import { ECR_API_HOST, type FakeCloud } from '../support/cloud/fake-cloud.js';
import { clusterIdentityEnv, startStory2Cloud, type Story2FluxObject } from './support/story2.js';
import { runNode, type ChildResult } from '../support/cloud/run-cli.js';

describe('story 2: bootstrap oci --provider=aws (bastion pushes with its IAM identity, the cluster pulls with its own)', () => {
  let cloud: FakeCloud;
  let proxy: ConnectProxy;
  let cluster: Cluster;
  let flux: Flux | undefined;
  let objects: KubernetesObjectApi;
  let first: ChildResult;
  const ecr = () => `oci://${cloud.hosts.aws}`;

  beforeAll(async () => {
    ({ cloud, proxy } = await startStory2Cloud());
    cluster = await startCluster();
    const kc = new KubeConfig();
    kc.loadFromFile(cluster.kubeconfigPath);
    objects = KubernetesObjectApi.makeApiClient(kc);

    const running = runNode(
      [
        'bootstrap',
        'oci',
        `--url=${ecr()}/flux/components:production`,
        `--cluster-url=${ecr()}/fleet/cluster:production`,
        '--cluster-path=clusters/production',
        '--provider=aws',
        `--manifests=${STORY1_MANIFESTS}`,
        '--version=v2.9.5',
        '--components=source-controller,kustomize-controller',
        `--kubeconfig=${cluster.kubeconfigPath}`,
        '--timeout=3m',
      ],
      cloud.env('aws'),
    );
    // The controllers start once the bootstrap has made their kinds served, as their
    // Deployments would; in a cluster their identity would come from IRSA or Pod Identity.
    flux = await startFlux(cluster, {
      installCrds: false,
      crdTimeoutMs: 180_000,
      env: clusterIdentityEnv(cloud, proxy),
    });
    first = await running;
  }, START_TIMEOUT);

  afterAll(async () => {
    await teardown({ flux, cluster, proxy, cloud });
  }, STOP_TIMEOUT);

  const logs = () =>
    flux
      ? `\nsource-controller:\n${tail(flux.logs.sourceController)}\nkustomize-controller:\n${tail(flux.logs.kustomizeController)}`
      : '';
  const read = (kind: string, apiVersion: string, name: string) =>
    objects.read({
      apiVersion,
      kind,
      metadata: { name, namespace: 'flux-system' },
    }) as unknown as Promise<Story2FluxObject>;

  test('bootstraps, pushing to ECR with the bastion identity', () => {
    if (first.code !== 0) throw new Error(`exit ${first.code}\n${first.stderr}${logs()}`);
    expect(first.stderr).toMatch(
      /► pushing components artifact to oci:\/\/123456789012\.dkr\.ecr\.eu-west-1\.amazonaws\.com/,
    );
    expect(first.stderr).toMatch(/✔ bootstrap finished/);
    // No credential the fake ECR issued is printed.
    for (const secret of cloud.issuedSecrets()) expect(first.stderr).not.toContain(secret);
  });

  test('the sync objects pull with provider aws and no Secret, and are Ready', async () => {
    for (const name of ['flux-components', 'flux-system']) {
      const repo = await read('OCIRepository', 'source.toolkit.fluxcd.io/v1', name);
      expect(repo.spec.provider).toBe('aws');
      expect(repo.spec.secretRef).toBeUndefined();
      expect(repo.status?.artifact?.revision).toMatch(/^production@sha256:[0-9a-f]{64}$/);
      const ks = await read('Kustomization', 'kustomize.toolkit.fluxcd.io/v1', name);
      expect(ks.status?.conditions?.find((c) => c.type === 'Ready')?.status).toBe('True');
    }
  });

  test('both sides logged in through ECR: the bastion and source-controller, each with its key', () => {
    // The realm only accepts credentials ECR issued; source-controller's pulls went through
    // the proxy to the registry host.
    expect(cloud.calls.ecr.length).toBeGreaterThanOrEqual(2);
    expect(cloud.calls.ecr.every((c) => c.region === 'eu-west-1' && c.service === 'ecr')).toBe(
      true,
    );
    expect(cloud.calls.realm.filter((r) => r.ok).length).toBeGreaterThanOrEqual(2);
    expect(proxy.connects).toContain(`${cloud.hosts.aws}:443`);
    expect(proxy.connects).toContain(`${ECR_API_HOST}:443`);
  });
  test('upgrade --provider=aws (story 4 from CI) reads the components artifact through ECR', async () => {
    const before = cloud.calls.ecr.length;
    const upgrade = await runNode(
      [
        'upgrade',
        `--url=${ecr()}/flux/components:production`,
        '--provider=aws',
        `--manifests=${STORY1_MANIFESTS}`,
        '--version=v2.9.5',
      ],
      cloud.env('aws'),
    );
    expect(upgrade.stderr).toContain(
      `${cloud.hosts.aws}/flux/components:production is already at Flux v2.9.5 with these options: nothing to push`,
    );
    expect(upgrade.code).toBe(0);
    // At least its own login (source-controller may log in meanwhile too).
    expect(cloud.calls.ecr.length).toBeGreaterThan(before);
  });
});
