// `flux-oci create secret oci` without --export writes the Secret to the cluster, as
// `flux create secret oci` does, against the harness's real API server: created, then
// updated in place with a new password, with its --label labels.
import { CoreV1Api, KubeConfig } from '@kubernetes/client-node';
import { startCluster, type Cluster } from './harness/cluster.js';
import { START_TIMEOUT, STOP_TIMEOUT, teardown } from './harness/teardown.js';
import { runFluxOci } from './support/flux-oci-cli.js';

describe('flux-oci create secret oci, written to the cluster (real API server)', () => {
  let cluster: Cluster;
  let core: CoreV1Api;

  beforeAll(async () => {
    cluster = await startCluster();
    const kc = new KubeConfig();
    kc.loadFromFile(cluster.kubeconfigPath);
    core = kc.makeApiClient(CoreV1Api);
    await core.createNamespace({ body: { metadata: { name: 'apps' } } });
  }, START_TIMEOUT);

  afterAll(async () => {
    await teardown({ cluster });
  }, STOP_TIMEOUT);

  const create = (password: string, ...extra: string[]) =>
    runFluxOci(
      [
        'create',
        'secret',
        'oci',
        'ghcr-auth',
        '--url=ghcr.io',
        '--username=flux',
        '--password-stdin',
        '-n',
        'apps',
        `--kubeconfig=${cluster.kubeconfigPath}`,
        ...extra,
      ],
      { stdin: `${password}\n` },
    );

  const dockerConfig = async () => {
    const secret = await core.readNamespacedSecret({ name: 'ghcr-auth', namespace: 'apps' });
    const json = Buffer.from(secret.data?.['.dockerconfigjson'] ?? '', 'base64').toString();
    return { secret, auths: (JSON.parse(json) as { auths: Record<string, unknown> }).auths };
  };

  test('creates the Secret with its labels, then updates it with a new password', async () => {
    const created = await create('first-p4ss', '--label=team=platform,tier=infra');
    if (created.code !== 0) throw new Error(`exit ${created.code}\n${created.stderr}`);
    expect(created.stderr).toBe("► oci secret 'ghcr-auth' created in 'apps' namespace\n");
    expect(created.stdout).toBe('');
    expect(created.stderr + created.stdout).not.toContain('first-p4ss');

    const first = await dockerConfig();
    expect(first.secret.type).toBe('kubernetes.io/dockerconfigjson');
    expect(first.secret.metadata?.labels).toEqual({ team: 'platform', tier: 'infra' });
    expect(first.auths).toEqual({
      'ghcr.io': {
        username: 'flux',
        password: 'first-p4ss',
        auth: Buffer.from('flux:first-p4ss').toString('base64'),
      },
    });

    const updated = await create('second-p4ss');
    if (updated.code !== 0) throw new Error(`exit ${updated.code}\n${updated.stderr}`);
    const second = await dockerConfig();
    expect(second.secret.metadata?.uid).toBe(first.secret.metadata?.uid);
    expect(second.auths).toEqual({
      'ghcr.io': {
        username: 'flux',
        password: 'second-p4ss',
        auth: Buffer.from('flux:second-p4ss').toString('base64'),
      },
    });
  }, 120_000);

  test('a namespace that does not exist is named, exit 1, no stack trace', async () => {
    const result = await runFluxOci(
      [
        'create',
        'secret',
        'oci',
        'ghcr-auth',
        '--url=ghcr.io',
        '--username=flux',
        '--password-stdin',
        '--namespace=missing',
        `--kubeconfig=${cluster.kubeconfigPath}`,
      ],
      { stdin: 'p4ss\n' },
    );
    expect(result.code).toBe(1);
    expect(result.stderr).toMatch(
      /^✗ .*Secret\/missing\/ghcr-auth.*namespaces? "missing" not found/s,
    );
    expect(result.stderr).not.toMatch(/\n\s+at /);
  }, 120_000);
});
