import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadKubeConfig } from '../../src/kube/kubeconfig.js';
import { KubeClient } from '../../src/kube/client.js';
import { UserError } from '../../src/errors.js';
import { freePort } from '../support/ports.js';

let dir: string;
let kubeconfig: string;

function kubeconfigYaml(port: number): string {
  return `apiVersion: v1
kind: Config
clusters:
  - name: prod
    cluster: { server: "https://prod.example:6443" }
  - name: local
    cluster: { server: "https://127.0.0.1:${port}" }
users:
  - name: admin
    user: { token: abc }
contexts:
  - name: prod
    context: { cluster: prod, user: admin }
  - name: local
    context: { cluster: local, user: admin, namespace: team-a }
current-context: prod
`;
}

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'kubeconfig-test-'));
  kubeconfig = join(dir, 'config');
  await writeFile(kubeconfig, kubeconfigYaml(await freePort()));
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

describe('loadKubeConfig', () => {
  it("uses the file's current context", () => {
    expect(loadKubeConfig({ kubeconfig }).getCurrentCluster()?.server).toBe(
      'https://prod.example:6443',
    );
  });

  it('switches to the given context, whose namespace becomes the default', () => {
    const client = new KubeClient(loadKubeConfig({ kubeconfig, context: 'local' }));
    expect(client.server).toMatch(/^https:\/\/127\.0\.0\.1:\d+$/);
    expect(client.defaultNamespace).toBe('team-a');
  });

  it('names the known contexts when the given one is missing', () => {
    expect(() => loadKubeConfig({ kubeconfig, context: 'staging' })).toThrow(
      new UserError('context "staging" is not in the kubeconfig; it has: prod, local'),
    );
  });

  it('says when the file does not exist', () => {
    expect(() => loadKubeConfig({ kubeconfig: join(dir, 'nope') })).toThrow(
      /kubeconfig .*nope does not exist/,
    );
  });

  it('says which server it could not reach', async () => {
    const client = new KubeClient(loadKubeConfig({ kubeconfig, context: 'local' }));
    await expect(client.request('GET', '/version')).rejects.toThrow(
      new RegExp(`cannot reach ${client.server} \\(GET /version\\): .*ECONNREFUSED`),
    );
  });
});
