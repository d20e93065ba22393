// `flux-oci uninstall -n <namespace> --timeout <duration>` against the harness's real API
// server: Flux's short flag picks the namespace, and --timeout bounds the whole uninstall.
import { KubeConfig, KubernetesObjectApi, type KubernetesObject } from '@kubernetes/client-node';
import { startCluster, type Cluster } from './harness/cluster.js';
import { START_TIMEOUT, STOP_TIMEOUT, teardown } from './harness/teardown.js';
import { waitFor } from './harness/wait.js';
import { runFluxOci } from './support/flux-oci-cli.js';

/** A Flux component as `flux install` labels it, in `namespace`. */
const component = (namespace: string): KubernetesObject => ({
  apiVersion: 'v1',
  kind: 'ServiceAccount',
  metadata: {
    name: 'source-controller',
    namespace,
    labels: { 'app.kubernetes.io/part-of': 'flux', 'app.kubernetes.io/instance': namespace },
  },
});

describe('flux-oci uninstall -n, --timeout (real API server)', () => {
  let cluster: Cluster;
  let objects: KubernetesObjectApi;

  const exists = async (o: KubernetesObject): Promise<boolean> => {
    try {
      await objects.read(o as never);
      return true;
    } catch (err) {
      if ((err as { code?: number }).code === 404) return false;
      throw err;
    }
  };

  beforeAll(async () => {
    cluster = await startCluster();
    const kc = new KubeConfig();
    kc.loadFromFile(cluster.kubeconfigPath);
    objects = KubernetesObjectApi.makeApiClient(kc);
    for (const namespace of ['flux-other', 'flux-system']) {
      await objects.create({ apiVersion: 'v1', kind: 'Namespace', metadata: { name: namespace } });
      await objects.create(component(namespace));
    }
  }, START_TIMEOUT);

  afterAll(async () => {
    await teardown({ cluster });
  }, STOP_TIMEOUT);

  test('-n names the namespace: its components and the namespace go, flux-system stays', async () => {
    const result = await runFluxOci([
      'uninstall',
      '-n',
      'flux-other',
      '--silent',
      '--timeout=2m',
      `--kubeconfig=${cluster.kubeconfigPath}`,
    ]);
    if (result.code !== 0) throw new Error(`exit ${result.code}\n${result.stderr}`);
    expect(result.stderr).toContain('✔ ServiceAccount/flux-other/source-controller deleted\n');
    expect(await exists(component('flux-other'))).toBe(false);
    await waitFor(
      'namespace flux-other to be gone',
      async () =>
        (await exists({ apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'flux-other' } }))
          ? undefined
          : true,
      60_000,
    );
    expect(await exists(component('flux-system'))).toBe(true);
  }, 120_000);

  test('an uninstall that outlasts --timeout stops with exit 1 and says what to do', async () => {
    const result = await runFluxOci([
      'uninstall',
      '--silent',
      '--timeout=1ms',
      `--kubeconfig=${cluster.kubeconfigPath}`,
    ]);
    expect(result.code).toBe(1);
    expect(result.stderr).toContain(
      '✗ uninstall did not finish within --timeout 1ms; what is deleted stays deleted: run it again, with a longer --timeout\n',
    );
    expect(result.stderr).not.toMatch(/\n\s+at /);
  }, 120_000);
});
