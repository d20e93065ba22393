// Issue 8, finding 2: a kubeconfig path and a context known only at deploy time (Terraform
// variables here, as when another resource writes the kubeconfig) holding quotes, `$(...)`,
// backticks, `;`, a newline and spaces reach `flux-oci` as they are and run nothing else:
// `cdktf deploy` with real OpenTofu installs Flux on the harness's API server with the real
// controllers, and `cdktf destroy` removes it, through a hostile kubeconfig path and context.
import { CoreV1Api, KubeConfig, KubernetesObjectApi } from '@kubernetes/client-node';
import { createHash } from 'node:crypto';
import {
  existsSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parse, stringify } from 'yaml';
import { resolveArtifact } from '../../src/oci/registry/resolve.js';
import { startRegistry, type TestRegistry } from '../support/registry.js';
import { startCluster, type Cluster } from './harness/cluster.js';
import { startFlux, type Flux } from './harness/flux.js';
import { tail } from './harness/process.js';
import { prepareTerraform, type TerraformSetup } from './harness/terraform.js';
import { waitFor } from './harness/wait.js';
import { runCdktf, writeCdktfProject, type CdktfResult } from './support/cdktf-cli.js';
import { STORY1_MANIFESTS } from './support/story1.js';

interface FluxObject {
  status?: {
    artifact?: { revision: string };
    conditions?: { type: string; status: string; message: string }[];
  };
}

/** What a shell would run if a value reached a command line: each creates `marker`. */
function hostile(what: string, marker: string): string {
  return (
    `${what} it's "double" a'; touch ${marker}; echo ' $(touch ${marker}) ` +
    `\`touch ${marker}\` ; touch ${marker}\nsecond line  two  spaces`
  );
}

const tf: TerraformSetup = await prepareTerraform();

describe('cdktf deploy and destroy with a hostile kubeconfig path and context (OpenTofu)', () => {
  const user = { username: 'flux', password: 'hostile-Secret-p4ss' };
  let registry: TestRegistry;
  let cluster: Cluster;
  let flux: Flux | undefined;
  let work: string;
  let marker: string;
  let kubeconfigPath: string;
  let context: string;
  let objects: KubernetesObjectApi;
  let core: CoreV1Api;

  const env = (): NodeJS.ProcessEnv => ({
    ...tf.env,
    TERRAFORM_BINARY_NAME: tf.tofuPath,
    TF_VAR_oci_password: user.password,
    TF_VAR_kubeconfig_path: kubeconfigPath,
    TF_VAR_kube_context: context,
    FLUX_OCI_URL: `oci://${registry.host}/flux/components:production`,
    FLUX_OCI_USERNAME: user.username,
    FLUX_OCI_CA_FILE: registry.caFile,
    FLUX_OCI_COMPONENTS: 'source-controller,kustomize-controller',
    FLUX_OCI_VERSION: 'v2.9.5',
    FLUX_MANIFESTS: STORY1_MANIFESTS,
  });
  const cdktf = (args: string[]): Promise<CdktfResult> => runCdktf(work, args, env());
  const logs = () =>
    flux
      ? `\nsource-controller:\n${tail(flux.logs.sourceController)}\nkustomize-controller:\n${tail(flux.logs.kustomizeController)}`
      : '';
  /** Files a command injected through the values would have created. */
  const markers = () => readdirSync(work).filter((name) => name.startsWith('marker'));

  beforeAll(async () => {
    registry = await startRegistry({ tls: true, htpasswd: user });
    cluster = await startCluster();
    const kc = new KubeConfig();
    kc.loadFromFile(cluster.kubeconfigPath);
    objects = KubernetesObjectApi.makeApiClient(kc);
    core = kc.makeApiClient(CoreV1Api);

    work = mkdtempSync(join(tmpdir(), 'flux-oci-hostile-'));
    marker = join(work, 'marker');
    writeCdktfProject(work, '../test/e2e/support/hostile-paths-app.ts');
    // The path's directories hold the hostile text; `/` in it only makes more of them.
    const dir = join(work, hostile('kubeconfig', marker));
    mkdirSync(dir, { recursive: true });
    kubeconfigPath = join(dir, 'kube config');
    context = hostile('context', marker);
    // The current context leads nowhere: a deploy that works used the hostile one.
    const config = parse(readFileSync(cluster.kubeconfigPath, 'utf8'));
    const [real] = config.contexts;
    config.clusters.push({ name: 'nowhere', cluster: { server: 'https://127.0.0.1:9' } });
    config.contexts = [
      { name: 'nowhere', context: { cluster: 'nowhere', user: real.context.user } },
      { name: context, context: real.context },
    ];
    config['current-context'] = 'nowhere';
    writeFileSync(kubeconfigPath, stringify(config), { mode: 0o600 });
  }, 300_000); // registry, etcd, API server and controller manager on a loaded machine

  afterAll(async () => {
    await flux?.stop();
    await cluster?.stop();
    await registry?.stop();
    if (work) rmSync(work, { recursive: true, force: true });
  }, 120_000);

  test('the synthesized commands hold no Terraform reference; the environment carries them', async () => {
    const result = await cdktf(['synth']);
    if (result.code !== 0) throw new Error(result.output);
    const json = JSON.parse(
      readFileSync(join(work, 'cdktf.out', 'stacks', 'hostile', 'cdk.tf.json'), 'utf8'),
    );
    const steps = Object.values(json.resource.terraform_data) as {
      provisioner: { 'local-exec': { command: string; environment?: Record<string, string> } }[];
    }[];
    expect(steps).toHaveLength(4); // install, secrets, sync, uninstall
    for (const step of steps) {
      const { command, environment } = step.provisioner[0]['local-exec'];
      expect(command).not.toMatch(/[$%]\{/);
      expect(Object.keys(environment ?? {})).toContain('FLUX_OCI_STEP_KUBECONFIG');
    }
  }, 300_000);

  test('deploy installs Flux through the hostile path and context, and runs nothing else', async () => {
    const deploy = cdktf(['deploy', '--auto-approve']);
    // The controllers start once the bootstrap has made their kinds served, as their
    // Deployments would; the deploy waits until they report Flux Ready.
    const starting = startFlux(cluster, { installCrds: false, crdTimeoutMs: 600_000 });
    let startError = '';
    starting.then(
      (started) => (flux = started),
      (err: Error) => (startError = `\nstarting the controllers failed: ${err.message}`),
    );
    const result = await deploy;
    expect(markers()).toEqual([]);
    if (result.code !== 0)
      throw new Error(`cdktf deploy exited ${result.code}\n${result.output}${logs()}${startError}`);
    await starting;

    const digest = (
      await resolveArtifact(`oci://${registry.host}/flux/components:production`, {
        credentials: user,
        caFile: registry.caFile,
      })
    )?.digest;
    expect(digest).toMatch(/^sha256:/);
    const repo = (await objects.read({
      apiVersion: 'source.toolkit.fluxcd.io/v1',
      kind: 'OCIRepository',
      metadata: { name: 'flux-components', namespace: 'flux-system' },
    })) as unknown as FluxObject;
    expect(repo.status?.artifact?.revision).toBe(`production@${digest}`);
    expect(repo.status?.conditions?.find((c) => c.type === 'Ready')?.status).toBe('True');
  }, 900_000);

  test('the state holds neither the password nor a hash of it (issue 8, finding 3)', () => {
    const states = readdirSync(work).filter((name) => name.endsWith('.tfstate'));
    expect(states).not.toEqual([]);
    const hash = createHash('sha256').update(user.password).digest('hex');
    for (const name of states) {
      const state = readFileSync(join(work, name), 'utf8');
      expect(state).toContain('password_revision');
      expect({ name, password: state.includes(user.password) }).toEqual({ name, password: false });
      expect({ name, hash: state.includes(hash.slice(0, 8)) }).toEqual({ name, hash: false });
    }
  });

  test('destroy removes Flux through the same path and context, and runs nothing else', async () => {
    const result = await cdktf(['destroy', '--auto-approve']);
    if (result.code !== 0) throw new Error(`${result.output}${logs()}`);
    expect(result.output).toMatch(/uninstall finished/);
    await waitFor(
      'the flux-system namespace to be gone',
      async () => {
        const ns = await core.readNamespace({ name: 'flux-system' }).catch(() => undefined);
        if (ns) throw new Error(`still there (${ns.status?.phase})`);
        return true;
      },
      180_000,
    );
    const crd = await objects
      .read({
        apiVersion: 'apiextensions.k8s.io/v1',
        kind: 'CustomResourceDefinition',
        metadata: { name: 'ocirepositories.source.toolkit.fluxcd.io' },
      })
      .catch(() => undefined);
    expect(crd).toBeUndefined();
    expect(markers()).toEqual([]);
    expect(existsSync(kubeconfigPath)).toBe(true);
  }, 600_000);
});
