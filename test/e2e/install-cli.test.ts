// `flux-oci install` without --export against the harness's real API server, as `flux
// install`: staged apply, the image pull Secret of --registry-creds, then the controllers'
// readiness; an installation managed by another tool needs --force, a bootstrapped one is
// refused. The harness has no kubelet, so the test writes the Deployments' status as the
// deployment controller and kubelets would, once `flux-oci install` waits for them.
import { join } from 'node:path';
import { KubeClient } from '../../src/kube/client.js';
import { loadKubeConfig } from '../../src/kube/kubeconfig.js';
import { setDeploymentStatus } from './apply/fixtures.js';
import { startCluster, type Cluster } from './harness/cluster.js';
import { START_TIMEOUT, STOP_TIMEOUT, teardown } from './harness/teardown.js';
import { repoRoot } from './harness/tools.js';
import { waitFor } from './harness/wait.js';
import { runFluxOci, type CliResult } from './support/flux-oci-cli.js';

const manifests = join(repoRoot, 'test/fixtures/flux-components');
const controllers = ['source-controller', 'kustomize-controller'];
const crd = {
  apiVersion: 'apiextensions.k8s.io/v1',
  kind: 'CustomResourceDefinition',
  name: 'gitrepositories.source.toolkit.fluxcd.io',
};

describe('flux-oci install (real API server)', () => {
  let cluster: Cluster;
  let kube: KubeClient;

  beforeAll(async () => {
    cluster = await startCluster();
    kube = new KubeClient(loadKubeConfig({ kubeconfig: cluster.kubeconfigPath }));
  }, START_TIMEOUT);

  afterAll(async () => {
    await teardown({ cluster });
  }, STOP_TIMEOUT);

  // The same options each time: the Deployments stay at the generation whose status the
  // test wrote.
  const install = (...extra: string[]): Promise<CliResult> =>
    runFluxOci([
      'install',
      `--manifests=${manifests}`,
      '--version=v2.9.5',
      `--components=${controllers.join(',')}`,
      '--registry=registry.example.com/fluxcd',
      '--image-pull-secret=flux-pull',
      `--kubeconfig=${cluster.kubeconfigPath}`,
      '--timeout=2m',
      ...extra,
    ]);

  /** What the deployment controller and kubelets would report once the pods run. */
  const rollOut = async (): Promise<void> => {
    for (const name of controllers) {
      const ref = { apiVersion: 'apps/v1', kind: 'Deployment', namespace: 'flux-system', name };
      await waitFor(`Deployment ${name} to be applied`, () => kube.get(ref), 90_000);
      await setDeploymentStatus(kube, 'flux-system', name, 1);
    }
  };

  test('installs the components and the image pull Secret, and waits for the controllers', async () => {
    const run = install('--registry-creds=puller:pull-S3cret');
    await rollOut();
    const result = await run;
    if (result.code !== 0) throw new Error(`exit ${result.code}\n${result.stderr}`);
    const lines = result.stderr.split('\n');
    for (const line of [
      '✚ generating manifests',
      '✔ manifests build completed',
      '► installing components in flux-system namespace',
      '► generating image pull secret flux-pull',
      '◎ verifying installation',
      '✔ install finished',
    ]) {
      expect(lines).toContain(line);
    }
    expect(result.stdout + result.stderr).not.toContain('pull-S3cret');

    expect(await kube.get(crd)).toBeDefined();
    const secret = await kube.get({
      apiVersion: 'v1',
      kind: 'Secret',
      namespace: 'flux-system',
      name: 'flux-pull',
    });
    expect(secret?.type).toBe('kubernetes.io/dockerconfigjson');
    const data = secret?.data as Record<string, string>;
    expect(JSON.parse(Buffer.from(data['.dockerconfigjson'], 'base64').toString())).toEqual({
      auths: {
        'registry.example.com/fluxcd': {
          username: 'puller',
          password: 'pull-S3cret',
          auth: Buffer.from('puller:pull-S3cret').toString('base64'),
        },
      },
    });
    const deployment = await kube.get({
      apiVersion: 'apps/v1',
      kind: 'Deployment',
      namespace: 'flux-system',
      name: 'source-controller',
    });
    const pod = (deployment?.spec as { template: { spec: Record<string, unknown> } }).template.spec;
    expect(pod.imagePullSecrets).toEqual([{ name: 'flux-pull' }]);
  }, 240_000);

  test('an installation managed by another tool needs --force', async () => {
    await kube.mergePatch(crd, {
      metadata: { labels: { 'app.kubernetes.io/managed-by': 'Helm' } },
    });
    const refused = await install();
    expect(refused.code).toBe(1);
    expect(refused.stderr).toContain(
      '✗ Flux v2.9.5 has been installed on this cluster with Helm: pass --force to override the Helm installation\n',
    );
    const forced = await install('--force');
    if (forced.code !== 0) throw new Error(`exit ${forced.code}\n${forced.stderr}`);
    expect(forced.stderr).toContain('✔ install finished\n');
  }, 240_000);

  test('a cluster bootstrapped with Flux is refused, naming what to use', async () => {
    await kube.mergePatch(crd, {
      metadata: { labels: { 'kustomize.toolkit.fluxcd.io/name': 'flux-components' } },
    });
    const refused = await install('--force');
    expect(refused.code).toBe(1);
    expect(refused.stderr).toContain(
      '✗ this cluster has already been bootstrapped with Flux v2.9.5: its components are updated by Flux from its source; upgrade with flux-oci upgrade or flux-oci bootstrap oci\n',
    );
    expect(refused.stderr).not.toMatch(/\n\s+at /);
  }, 120_000);
});
