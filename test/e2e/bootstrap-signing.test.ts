// Signed bootstrap against real components: keys from the real cosign, a TLS registry with
// basic auth, a real API server, and the real source-controller verifying the signatures
// (`.spec.verify`, key-based, offline) before kustomize-controller applies anything.
import { CoreV1Api, KubeConfig, KubernetesObjectApi } from '@kubernetes/client-node';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { writeTree } from '../support/artifacts.js';
import { runCosign } from '../support/cosign-cli.js';
import { startRegistry, type TestRegistry } from '../support/registry.js';
import { startCluster, type Cluster } from './harness/cluster.js';
import { startFlux, type Flux } from './harness/flux.js';
import { tail } from './harness/process.js';
import { START_TIMEOUT, STOP_TIMEOUT, teardown } from './harness/teardown.js';
import { repoRoot } from './harness/tools.js';
import { waitFor } from './harness/wait.js';
import { requestReconcile } from './support/request-reconcile.js';
import { runFluxOci, type CliResult } from './support/flux-oci-cli.js';

const user = { username: 'flux', password: 'e2e-Signing-p4ss' };
const COSIGN_PASSWORD = 'e2e-Cosign-p4ss';
const manifests = join(repoRoot, 'test/fixtures/flux-components');

interface Condition {
  type: string;
  status: string;
  reason?: string;
  message: string;
}
interface OciRepository {
  spec: { verify?: Record<string, unknown> };
  status?: { artifact?: { revision: string }; conditions?: Condition[] };
}

describe('signed bootstrap: source-controller verifies what flux-oci signs', () => {
  let registry: TestRegistry;
  let cluster: Cluster;
  let flux: Flux | undefined;
  let objects: KubernetesObjectApi;
  let core: CoreV1Api;
  let work: string;
  let bootstrap: CliResult;
  const abort = new AbortController();

  const url = () => `oci://${registry.host}/flux/components:latest`;
  const clusterUrl = () => `oci://${registry.host}/fleet/cluster:production`;
  const key = (name: string) => join(work, name);
  const registryFlags = () => [
    `--username=${user.username}`,
    '--password-stdin',
    `--ca-file=${registry.caFile}`,
  ];
  const bootstrapArgs = (timeout: string) => [
    'bootstrap',
    'oci',
    `--url=${url()}`,
    `--cluster-url=${clusterUrl()}`,
    ...registryFlags(),
    `--manifests=${manifests}`,
    '--components=source-controller,kustomize-controller',
    `--cosign-key=${key('cosign.key')}`,
    `--cluster-verify-public-key=${key('cosign.pub')}`,
    `--kubeconfig=${cluster.kubeconfigPath}`,
    '--interval=10s',
    `--timeout=${timeout}`,
  ];
  const env = { COSIGN_PASSWORD };

  const logs = () =>
    flux
      ? `\nsource-controller:\n${tail(flux.logs.sourceController)}\nkustomize-controller:\n${tail(flux.logs.kustomizeController)}`
      : '';
  const source = (name: string) =>
    objects.read({
      apiVersion: 'source.toolkit.fluxcd.io/v1',
      kind: 'OCIRepository',
      metadata: { name, namespace: 'flux-system' },
    }) as unknown as Promise<OciRepository>;
  const condition = (repo: OciRepository, type: string) =>
    repo.status?.conditions?.find((c) => c.type === type);

  /** Waits until the OCIRepository has `revision` verified and Ready. */
  const verifiedAt = (name: string, revision: string) =>
    waitFor(
      `${name} to verify and fetch ${revision}`,
      async () => {
        const repo = await source(name);
        const verified = condition(repo, 'SourceVerified');
        return repo.status?.artifact?.revision === revision &&
          verified?.status === 'True' &&
          condition(repo, 'Ready')?.status === 'True'
          ? verified
          : undefined;
      },
      120_000,
    ).catch((err: Error) => {
      throw new Error(`${err.message}${logs()}`);
    });

  /** Pushes `files` to the cluster tag, signed with `cosignKey` or unsigned; returns its digest. */
  const pushCluster = async (files: Record<string, string>, cosignKey?: string) => {
    const tree = writeTree(files);
    try {
      const pushed = await runFluxOci(
        [
          'push',
          'artifact',
          clusterUrl(),
          `--path=${tree}`,
          '--source=https://github.com/acme/fleet',
          '--revision=main@sha1:0123456789abcdef0123456789abcdef01234567',
          ...registryFlags(),
          ...(cosignKey ? [`--cosign-key=${cosignKey}`] : []),
          '-o',
          'json',
        ],
        { stdin: user.password, env },
      );
      if (pushed.code !== 0) throw new Error(`push: exit ${pushed.code}\n${pushed.stderr}`);
      return (JSON.parse(pushed.stdout) as { digest: string }).digest;
    } finally {
      rmSync(tree, { recursive: true, force: true });
    }
  };

  beforeAll(async () => {
    work = mkdtempSync(join(tmpdir(), 'signing-e2e-'));
    // The key pair as users make it: the real cosign, encrypted with COSIGN_PASSWORD.
    const generated = await runCosign(['generate-key-pair'], { cwd: work, env });
    if (generated.code !== 0) throw new Error(`cosign generate-key-pair: ${generated.stderr}`);
    registry = await startRegistry({ tls: true, htpasswd: user });
    cluster = await startCluster();
    const kc = new KubeConfig();
    kc.loadFromFile(cluster.kubeconfigPath);
    objects = KubernetesObjectApi.makeApiClient(kc);
    core = kc.makeApiClient(CoreV1Api);

    const run = runFluxOci(bootstrapArgs('3m'), {
      stdin: user.password,
      env,
      signal: abort.signal,
    });
    // The controllers start once the bootstrap has made their kinds served, as their
    // Deployments would.
    flux = await startFlux(cluster, { installCrds: false, crdTimeoutMs: 180_000 });
    bootstrap = await run;
  }, START_TIMEOUT);

  afterAll(async () => {
    abort.abort();
    await teardown({
      flux,
      cluster,
      registry,
      work: () => (work ? rmSync(work, { recursive: true, force: true }) : undefined),
    });
  }, STOP_TIMEOUT);

  test('both OCIRepositories verify the signatures the bootstrap made, offline', async () => {
    if (bootstrap.code !== 0)
      throw new Error(`exit ${bootstrap.code}\n${bootstrap.stderr}${logs()}`);
    expect(bootstrap.stderr).toMatch(/✔ components artifact signed: .*:sha256-[a-f0-9]{64}\.sig/);
    expect(bootstrap.stderr).toMatch(/✔ empty cluster artifact signed: /);
    expect(bootstrap.stderr + bootstrap.stdout).not.toContain(COSIGN_PASSWORD);

    for (const name of ['flux-components', 'flux-system']) {
      const repo = await source(name);
      expect(repo.spec.verify).toEqual({
        provider: 'cosign',
        secretRef: { name: `${name}-cosign` },
      });
      const verified = await verifiedAt(name, repo.status!.artifact!.revision);
      expect(verified.message).toBe(
        `verified signature of revision ${repo.status!.artifact!.revision}`,
      );
      const secret = await core.readNamespacedSecret({
        name: `${name}-cosign`,
        namespace: 'flux-system',
      });
      expect(Buffer.from(secret.data!['cosign.pub'], 'base64').toString()).toBe(
        readFileSync(key('cosign.pub'), 'utf8'),
      );
    }
  }, 300_000);

  test('a tag moved to an unsigned artifact is refused, and the wait names the failure', async () => {
    const unsigned = await pushCluster({
      'unsigned.yaml':
        'apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: unsigned\n  namespace: default\n',
    });
    await requestReconcile(objects, 'flux-system');
    const refused = await waitFor(
      'flux-system to refuse the unsigned artifact',
      async () => {
        const verified = condition(await source('flux-system'), 'SourceVerified');
        return verified?.status === 'False' && verified.message.includes(unsigned)
          ? verified
          : undefined;
      },
      120_000,
    ).catch((err: Error) => {
      throw new Error(`${err.message}${logs()}`);
    });
    expect(refused.reason).toBe('VerificationError');
    expect(refused.message).toContain(
      "failed to verify the signature using provider 'cosign': no matching signatures were found",
    );
    // Nothing of it was applied: the API server answers 404 for its ConfigMap.
    await expect(
      core.readNamespacedConfigMap({ name: 'unsigned', namespace: 'default' }),
    ).rejects.toMatchObject({ code: 404 });

    // A bootstrap run now ends on the refusal, naming the object and source-controller's reason.
    const again = await runFluxOci(bootstrapArgs('20s'), { stdin: user.password, env });
    expect(again.code).toBe(1);
    expect(again.stderr).toMatch(
      /OCIRepository\/flux-system[^\n]*failed to verify the signature using provider 'cosign': no matching signatures were found/,
    );

    // Signed with the key, the next artifact is verified and applied.
    const signed = await pushCluster(
      {
        'signed.yaml':
          'apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: signed\n  namespace: default\n',
      },
      key('cosign.key'),
    );
    await requestReconcile(objects, 'flux-system');
    await verifiedAt('flux-system', `production@${signed}`);
    await waitFor(
      'the signed ConfigMap',
      async () => core.readNamespacedConfigMap({ name: 'signed', namespace: 'default' }),
      120_000,
    );
  }, 400_000);

  test('upgrade without the key is refused by the cluster; with the key Flux keeps reconciling', async () => {
    const upgrade = (extra: string[]) =>
      runFluxOci(
        [
          'upgrade',
          `--url=${url()}`,
          ...registryFlags(),
          `--manifests=${manifests}`,
          '--log-level=debug',
          '-o',
          'json',
          ...extra,
        ],
        { stdin: user.password, env: { ...env, KUBECONFIG: '/nonexistent' } },
      );
    const unsignedUpgrade = await upgrade([]);
    if (unsignedUpgrade.code !== 0)
      throw new Error(`exit ${unsignedUpgrade.code}\n${unsignedUpgrade.stderr}`);
    const { digest } = JSON.parse(unsignedUpgrade.stdout) as { digest: string };
    await requestReconcile(objects, 'flux-components');
    const refused = await waitFor(
      'flux-components to refuse the unsigned upgrade',
      async () => {
        const verified = condition(await source('flux-components'), 'SourceVerified');
        return verified?.status === 'False' && verified.message.includes(digest)
          ? verified
          : undefined;
      },
      120_000,
    ).catch((err: Error) => {
      throw new Error(`${err.message}${logs()}`);
    });
    expect(refused.message).toContain('no matching signatures were found');

    // The same upgrade with the key: nothing new to push, the tag's artifact gets signed.
    const signedUpgrade = await upgrade([`--cosign-key=${key('cosign.key')}`]);
    if (signedUpgrade.code !== 0)
      throw new Error(`exit ${signedUpgrade.code}\n${signedUpgrade.stderr}`);
    expect((JSON.parse(signedUpgrade.stdout) as { digest: string }).digest).toBe(digest);
    expect(signedUpgrade.stderr).toContain('components artifact signed');
    await requestReconcile(objects, 'flux-components');
    await verifiedAt('flux-components', `latest@${digest}`);
    await waitFor(
      'flux-components to apply the upgrade',
      async () => {
        const ks = (await objects.read({
          apiVersion: 'kustomize.toolkit.fluxcd.io/v1',
          kind: 'Kustomization',
          metadata: { name: 'flux-components', namespace: 'flux-system' },
        })) as unknown as { status?: { lastAppliedRevision?: string } };
        return ks.status?.lastAppliedRevision === `latest@${digest}` ? true : undefined;
      },
      180_000,
    ).catch((err: Error) => {
      throw new Error(`${err.message}${logs()}`);
    });
  }, 400_000);

  // Keyless needs the public Sigstore services (TUF root, Rekor): offline, source-controller
  // takes the rendered identity and reports why it cannot check it, and the wait names it.
  test('keyless identities reach source-controller as matchOIDCIdentity', async () => {
    const args = bootstrapArgs('20s')
      .filter((a) => !a.startsWith('--cluster-verify-public-key'))
      .concat([
        '--cluster-verify-issuer=^https://token\\.actions\\.githubusercontent\\.com$',
        '--cluster-verify-subject=^https://github\\.com/acme/fleet/.*$',
      ]);
    const keyless = await runFluxOci(args, { stdin: user.password, env });
    const repo = await source('flux-system');
    expect(repo.spec.verify).toEqual({
      provider: 'cosign',
      matchOIDCIdentity: [
        {
          issuer: '^https://token\\.actions\\.githubusercontent\\.com$',
          subject: '^https://github\\.com/acme/fleet/.*$',
        },
      ],
    });
    expect(keyless.code).toBe(1);
    expect(keyless.stderr).toMatch(
      /OCIRepository\/flux-system\/flux-system[^\n]*failed to verify the signature using provider 'cosign keyless'/,
    );
  }, 300_000);
});
