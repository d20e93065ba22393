// Smoke tests of the real-components harness: the control plane starts, serves the
// version we built, applies CRDs, and deletes namespaces (the namespace controller runs);
// the Flux controllers pull an artifact from a real registry and apply it.
import { CoreV1Api, KubeConfig, KubernetesObjectApi, VersionApi } from '@kubernetes/client-node';
import { execFile } from 'node:child_process';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { startRegistry } from '../support/registry.js';
import { startCluster, type Cluster } from './harness/cluster.js';
import { applyFiles } from './harness/apply.js';
import { fluxCrdFiles, startFlux, type Flux } from './harness/flux.js';
import { tail } from './harness/process.js';
import { pushArtifact } from './harness/push-artifact.js';
import { START_TIMEOUT, STOP_TIMEOUT, teardown } from './harness/teardown.js';
import { enginesOf, prepareTerraform } from './harness/terraform.js';
import { repoRoot } from './harness/tools.js';
import { waitFor } from './harness/wait.js';

const run = promisify(execFile);

describe('harness: control plane', () => {
  let cluster: Cluster;
  let kc: KubeConfig;

  beforeAll(async () => {
    cluster = await startCluster({
      crds: [join(repoRoot, 'test/e2e/harness/fixtures/widgets-crd.yaml')],
    });
    kc = new KubeConfig();
    kc.loadFromFile(cluster.kubeconfigPath);
  }, START_TIMEOUT);
  afterAll(() => teardown({ cluster }), STOP_TIMEOUT);

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
    await waitFor(
      'the namespace controller to delete namespace smoke',
      async () =>
        (await core.listNamespace()).items.some((n) => n.metadata?.name === 'smoke')
          ? undefined
          : true,
      60_000,
    );
  }, 90_000);
});

describe('harness: Flux controllers', () => {
  test(
    'pull an artifact from a registry and apply it',
    async () => {
      const work = await mkdtemp(join(tmpdir(), 'flux-oci-harness-test-'));
      const registry = await startRegistry();
      let cluster: Cluster | undefined;
      let flux: Flux | undefined;
      try {
        cluster = await startCluster();
        flux = await startFlux(cluster);
        const kc = new KubeConfig();
        kc.loadFromFile(cluster.kubeconfigPath);
        const core = kc.makeApiClient(CoreV1Api);
        const objects = KubernetesObjectApi.makeApiClient(kc);

        const tree = join(work, 'tree');
        await mkdir(tree);
        await writeFile(
          join(tree, 'configmap.yaml'),
          'apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: harness-smoke\n  namespace: default\ndata:\n  from: artifact\n',
        );
        const pushed = await pushArtifact(registry.url, 'harness/smoke', 'v1', tree, work);

        await core.createNamespace({ body: { metadata: { name: 'flux-system' } } });
        await objects.create({
          apiVersion: 'source.toolkit.fluxcd.io/v1',
          kind: 'OCIRepository',
          metadata: { name: 'smoke', namespace: 'flux-system' },
          spec: {
            interval: '1m',
            url: `oci://${registry.host}/harness/smoke`,
            ref: { tag: 'v1' },
            insecure: true,
          },
        } as never);
        await objects.create({
          apiVersion: 'kustomize.toolkit.fluxcd.io/v1',
          kind: 'Kustomization',
          metadata: { name: 'smoke', namespace: 'flux-system' },
          spec: {
            interval: '1m',
            path: './',
            prune: true,
            sourceRef: { kind: 'OCIRepository', name: 'smoke' },
          },
        } as never);

        const configMap = await waitFor(
          'the ConfigMap applied by kustomize-controller',
          async () => core.readNamespacedConfigMap({ name: 'harness-smoke', namespace: 'default' }),
          120_000,
        ).catch(async (err: Error) => {
          throw new Error(
            `${err.message}\nsource-controller:\n${tail(flux!.logs.sourceController)}\nkustomize-controller:\n${tail(flux!.logs.kustomizeController)}`,
          );
        });
        expect(configMap.data).toEqual({ from: 'artifact' });
        expect(configMap.metadata?.labels?.['kustomize.toolkit.fluxcd.io/name']).toBe('smoke');
        expect(configMap.metadata?.labels?.['kustomize.toolkit.fluxcd.io/namespace']).toBe(
          'flux-system',
        );

        const repo = (await objects.read({
          apiVersion: 'source.toolkit.fluxcd.io/v1',
          kind: 'OCIRepository',
          metadata: { name: 'smoke', namespace: 'flux-system' },
        })) as unknown as { status: { artifact: { revision: string; url: string } } };
        expect(repo.status.artifact.revision).toBe(`v1@${pushed.digest}`);
        expect(repo.status.artifact.url.startsWith(flux.storageUrl)).toBe(true);
      } finally {
        await teardown({
          flux,
          cluster,
          registry,
          work: () => rm(work, { recursive: true, force: true }),
        });
      }
    },
    START_TIMEOUT,
  );
});

describe('harness: Flux controllers started before their CRDs exist', () => {
  test(
    'startFlux({ installCrds: false }) waits until the kinds are served, then starts them',
    async () => {
      const cluster = await startCluster();
      let flux: Flux | undefined;
      try {
        let settled = false;
        let onNotServed = (): void => undefined;
        const waiting = new Promise<void>((resolve) => (onNotServed = resolve));
        const starting = startFlux(cluster, {
          installCrds: false,
          crdTimeoutMs: 120_000,
          onKindsNotServed: () => onNotServed(),
        }).finally(() => {
          settled = true;
        });
        starting.catch(() => undefined); // awaited below; avoids an unhandled rejection meanwhile
        // Wait until startFlux has asked for the kinds and found them not served yet, rather
        // than for a fixed time.
        await Promise.race([
          waiting,
          starting.then(() => {
            throw new Error('startFlux returned before the Flux CRDs were applied');
          }),
        ]);
        expect(settled).toBe(false);
        await applyFiles(cluster.kubeconfigPath, await fluxCrdFiles());
        flux = await starting;
      } finally {
        await teardown({ flux, cluster });
      }
    },
    START_TIMEOUT,
  );
});

// OpenTofu always; Terraform where present (required in CI: .ci/run), else skipped by name.
const tf = await prepareTerraform();

describe('harness: Terraform engines', () => {
  const skipped = enginesOf(tf).skipped;
  if (skipped) test.skip(`init, apply and destroy offline with ${skipped}`, () => {});

  test(
    'tofu (and terraform where present) init, apply and destroy offline with the mirror configuration',
    async () => {
      await expect(prepareTerraform({ require: ['hashicorp/no-such-provider'] })).rejects.toThrow(
        /the provider mirror lacks hashicorp\/no-such-provider/,
      );
      const engines = enginesOf(tf).run.map(([, binary]) => binary);
      const { stdout: version } = await run(tf.tofuPath, ['version'], {
        env: { ...process.env, ...tf.env },
      });
      expect(version).toMatch(/^OpenTofu v1\.12\.6\n/);
      for (const engine of engines) {
        const work = await mkdtemp(join(tmpdir(), 'flux-oci-harness-tf-'));
        try {
          await writeFile(
            join(work, 'main.tf'),
            [
              'resource "terraform_data" "smoke" {',
              '  input = "harness"',
              '}',
              'output "echo" {',
              '  value = terraform_data.smoke.output',
              '}',
              '',
            ].join('\n'),
          );
          const env = { ...process.env, ...tf.env };
          await run(engine, ['init', '-input=false', '-no-color'], { cwd: work, env });
          await run(engine, ['apply', '-auto-approve', '-input=false', '-no-color'], {
            cwd: work,
            env,
          });
          const { stdout } = await run(engine, ['output', '-json'], { cwd: work, env });
          expect(JSON.parse(stdout).echo.value).toBe('harness');
          await run(engine, ['destroy', '-auto-approve', '-input=false', '-no-color'], {
            cwd: work,
            env,
          });
          const { stdout: state } = await run(engine, ['state', 'list'], { cwd: work, env });
          expect(state.trim()).toBe('');
        } finally {
          await rm(work, { recursive: true, force: true });
        }
      }
    },
    START_TIMEOUT,
  );
});
