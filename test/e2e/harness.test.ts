// Smoke test of the real-components harness: the control plane starts, serves the
// version we built, applies CRDs, and deletes namespaces (the namespace controller runs).
import { CoreV1Api, KubeConfig, KubernetesObjectApi, VersionApi } from '@kubernetes/client-node';
import { join } from 'node:path';
import { startCluster, type Cluster } from './harness/cluster.js';
import { repoRoot } from './harness/tools.js';

const startTimeout = 30 * 60 * 1000; // a cold machine builds the tools first

describe('harness: control plane', () => {
  let cluster: Cluster;
  let kc: KubeConfig;

  beforeAll(async () => {
    cluster = await startCluster({
      crds: [join(repoRoot, 'test/e2e/harness/fixtures/widgets-crd.yaml')],
    });
    kc = new KubeConfig();
    kc.loadFromFile(cluster.kubeconfigPath);
  }, startTimeout);
  afterAll(async () => {
    await cluster?.stop();
  });

  test('serves the Kubernetes version built from the Go module', async () => {
    const version = await kc.makeApiClient(VersionApi).getCode();
    expect(version.gitVersion).toBe('v1.36.3');
    expect(cluster.server).toMatch(/^https:\/\/127\.0\.0\.1:\d+$/);
  });

  test('stores objects, serves applied CRDs and deletes namespaces', async () => {
    const core = kc.makeApiClient(CoreV1Api);
    const objects = KubernetesObjectApi.makeApiClient(kc);
    await core.createNamespace({ body: { metadata: { name: 'smoke' } } });
    await core.createNamespacedConfigMap({
      namespace: 'smoke',
      body: { metadata: { name: 'c' }, data: { k: 'v' } },
    });
    expect((await core.readNamespacedConfigMap({ name: 'c', namespace: 'smoke' })).data).toEqual({
      k: 'v',
    });

    await objects.create({
      apiVersion: 'harness.flux-oci.test/v1',
      kind: 'Widget',
      metadata: { name: 'w', namespace: 'smoke' },
      spec: { size: 3 },
    } as never);
    const widget = await objects.read({
      apiVersion: 'harness.flux-oci.test/v1',
      kind: 'Widget',
      metadata: { name: 'w', namespace: 'smoke' },
    });
    expect((widget as unknown as { spec: { size: number } }).spec.size).toBe(3);

    await core.deleteNamespace({ name: 'smoke' });
    const deadline = Date.now() + 60_000;
    let gone = false;
    while (!gone && Date.now() < deadline) {
      gone = !(await core.listNamespace()).items.some((n) => n.metadata?.name === 'smoke');
      if (!gone) await new Promise((resolve) => setTimeout(resolve, 250));
    }
    expect(gone).toBe(true);
  }, 90_000);
});
