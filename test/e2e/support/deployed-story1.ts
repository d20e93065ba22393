// RFC story 1 deployed through the real `cdktf` CLI, shared by the cdktf end-to-end tests:
// the two registries of story 1, a fresh API server, a cdktf project running one of the
// example apps (stacks/), and what the tests read and search: the Kubernetes clients, every
// output of cdktf and the engine, every process's arguments while they ran. Call it inside
// a `describe`: it registers the set-up and the teardown.
import { CoreV1Api, KubeConfig, KubernetesObjectApi } from '@kubernetes/client-node';
import { execFile } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { resolveArtifact } from '../../../src/oci/registry/resolve.js';
import type { TestUser } from '../../support/registry.js';
import { startCluster, type Cluster } from '../harness/cluster.js';
import { startFlux, type Flux } from '../harness/flux.js';
import { tail } from '../harness/process.js';
import { START_TIMEOUT, STOP_TIMEOUT, teardown } from '../harness/teardown.js';
import type { TerraformSetup } from '../harness/terraform.js';
import { runCdktf, writeCdktfProject, type CdktfResult } from './cdktf-cli.js';
import { ArgvSampler, expectNoLeak, passwordForms } from './leak-search.js';
import { pullSecretEnv, pullSecretForms } from './pull-secret.js';
import {
  componentsUrl,
  startStory1Registries,
  story1AppEnv,
  type Story1Registries,
} from './story1.js';

/** What one engine command can take on a loaded 2-core machine. */
export const COMMAND_TIMEOUT = 10 * 60 * 1000;

export interface DeployedStory1Options {
  /** The example app under stacks/, e.g. `story1-providers.ts`. */
  readonly app: string;
  /** `tofu` or `terraform`, as TERRAFORM_BINARY_NAME. */
  readonly binary: string;
  readonly tf: TerraformSetup;
  /** The components registry's user; its password may be rotated by the test. */
  readonly user: TestUser;
  readonly fleetUser: TestUser;
  /** With it, the app writes the controllers' image pull Secret (registryCreds). @default none */
  readonly puller?: TestUser;
  /** The work directory's prefix under the system's temporary directory. */
  readonly workPrefix: string;
  /**
   * Offline: cdktf would otherwise run `providers lock`, which asks the registry for hashes.
   * @default true
   */
  readonly skipProviderLock?: boolean;
  /** More environment for every run, after the app's (e.g. a connection by host). @default none */
  readonly env?: () => NodeJS.ProcessEnv;
}

interface FluxStatus {
  spec?: { interval?: string; secretRef?: { name: string } };
  status?: {
    artifact?: { revision: string };
    lastAppliedRevision?: string;
    lastHandledReconcileAt?: string;
    conditions?: { type: string; status: string; message: string }[];
  };
}

export interface DeployedStory1 extends Omit<Story1Cluster, 'startFlux'> {
  readonly work: string;
  /** Every output of cdktf and the engine, in order. */
  readonly outputs: string[];
  readonly argv: ArgvSampler;
  /** Every password the test used (rotations push theirs), for the leak search. */
  readonly passwords: string[];
  /** Set by the test (e.g. FLUX_OCI_PASSWORD_REVISION), added to every run's environment. */
  readonly revisions: NodeJS.ProcessEnv;
  env(): NodeJS.ProcessEnv;
  /** `cdktf <args>`, recorded and sampled. */
  cdktf(args: readonly string[], extra?: NodeJS.ProcessEnv): Promise<CdktfResult>;
  /** `cdktf deploy <stacks> --auto-approve`. */
  deploy(stacks: readonly string[], extra?: NodeJS.ProcessEnv): Promise<CdktfResult>;
  /** As deploy, failing with its output and the controllers' logs. */
  mustDeploy(stacks: readonly string[]): Promise<CdktfResult>;
  /**
   * The first deploy of a fresh cluster: the controllers start once the deploy has made
   * their kinds served, as their Deployments would; a deploy failing before ends the wait.
   */
  deployFresh(stacks: readonly string[], extra?: NodeJS.ProcessEnv): Promise<CdktfResult>;
  /** The engine itself in a synthesized stack's directory. */
  engine(stack: string, args: readonly string[]): Promise<CdktfResult>;
  /** `plan -detailed-exitcode`: asserts no changes, showing the plan otherwise. */
  expectNoChanges(stack: string): Promise<void>;
  /** The digest the components tag `production` points at. */
  tagDigest(url?: string): Promise<string | undefined>;
  /** No password, pull credential or base64 form of them in any file, output or argv. */
  expectNoLeak(minStates: number): void;
}

/** Story 1's registries and a fresh API server, with clients for it and the controllers. */
export interface Story1Cluster {
  readonly registries: Story1Registries;
  readonly cluster: Cluster;
  readonly flux: Flux | undefined;
  readonly objects: KubernetesObjectApi;
  readonly core: CoreV1Api;
  /** Starts the controllers once their kinds are served (by a bootstrap under way). */
  startFlux(): Promise<Flux>;
  /** The source- and kustomize-controller logs' tails, for failure messages. */
  logs(): string;
  read(kind: string, apiVersion: string, name: string): Promise<FluxStatus>;
}

/**
 * Registers the set-up (beforeAll) and the teardown (afterAll) of story 1's registries, a
 * cluster and, once started, the controllers; `more` is torn down before them.
 */
export function story1Cluster(
  user: TestUser,
  fleetUser: TestUser,
  more: { work?: () => void } = {},
): Story1Cluster {
  let registries: Story1Registries;
  let cluster: Cluster;
  let flux: Flux | undefined;
  let objects: KubernetesObjectApi;
  let core: CoreV1Api;

  beforeAll(async () => {
    registries = await startStory1Registries(user, fleetUser);
    cluster = await startCluster();
    const kc = new KubeConfig();
    kc.loadFromFile(cluster.kubeconfigPath);
    objects = KubernetesObjectApi.makeApiClient(kc);
    core = kc.makeApiClient(CoreV1Api);
  }, START_TIMEOUT);

  afterAll(async () => {
    await teardown({ flux, cluster, registries, work: more.work });
  }, STOP_TIMEOUT);

  return {
    get registries() {
      return registries;
    },
    get cluster() {
      return cluster;
    },
    get flux() {
      return flux;
    },
    get objects() {
      return objects;
    },
    get core() {
      return core;
    },
    async startFlux() {
      flux = await startFlux(cluster, { installCrds: false, crdTimeoutMs: COMMAND_TIMEOUT });
      return flux;
    },
    logs: () =>
      flux
        ? `\nsource-controller:\n${tail(flux.logs.sourceController)}\nkustomize-controller:\n${tail(flux.logs.kustomizeController)}`
        : '',
    read: (kind, apiVersion, name) =>
      objects.read({
        apiVersion,
        kind,
        metadata: { name, namespace: 'flux-system' },
      }) as unknown as Promise<FluxStatus>,
  };
}

/** Registers the set-up (beforeAll) and the teardown (afterAll) of a story 1 project. */
export function deployedStory1(options: DeployedStory1Options): DeployedStory1 {
  const { binary, tf, user, fleetUser, puller } = options;
  let work: string;
  const h = story1Cluster(user, fleetUser, {
    work: () =>
      work && !process.env.FLUX_OCI_KEEP_HARNESS
        ? rmSync(work, { recursive: true, force: true })
        : undefined,
  });
  const outputs: string[] = [];
  const argv = new ArgvSampler();
  const passwords = [user.password, fleetUser.password];
  const revisions: NodeJS.ProcessEnv = {};
  const lock = options.skipProviderLock === false ? [] : ['--skip-provider-lock'];

  const env = (): NodeJS.ProcessEnv => ({
    ...story1AppEnv(h.registries, h.cluster, binary, tf.env),
    ...(puller ? pullSecretEnv(puller) : {}),
    ...options.env?.(),
    ...revisions,
  });
  const logs = () => h.logs();
  const cdktf = async (args: readonly string[], extra: NodeJS.ProcessEnv = {}) => {
    const result = await argv.during(runCdktf(work, args, { ...env(), ...extra }));
    outputs.push(result.output);
    return result;
  };
  const deploy = (stacks: readonly string[], extra: NodeJS.ProcessEnv = {}) =>
    cdktf(['deploy', ...stacks, '--auto-approve', ...lock], extra);
  const mustDeploy = async (stacks: readonly string[]) => {
    const result = await deploy(stacks);
    if (result.code !== 0)
      throw new Error(`cdktf deploy exited ${result.code}\n${result.output}${logs()}`);
    return result;
  };
  const engine = (stack: string, args: readonly string[]): Promise<CdktfResult> =>
    argv.during(
      new Promise((resolve) => {
        execFile(
          binary,
          [...args, '-no-color'],
          {
            cwd: join(work, 'cdktf.out', 'stacks', stack),
            env: { ...process.env, ...env() },
            maxBuffer: 64 * 1024 * 1024,
            timeout: COMMAND_TIMEOUT,
          },
          (err, stdout, stderr) => {
            const output = `${stdout}${stderr}`;
            outputs.push(output);
            resolve({ code: err ? (typeof err.code === 'number' ? err.code : -1) : 0, output });
          },
        );
      }),
    );

  beforeAll(() => {
    work = mkdtempSync(join(tmpdir(), options.workPrefix));
    writeCdktfProject(work, options.app);
  });

  return {
    get registries() {
      return h.registries;
    },
    get cluster() {
      return h.cluster;
    },
    get flux() {
      return h.flux;
    },
    get work() {
      return work;
    },
    get objects() {
      return h.objects;
    },
    get core() {
      return h.core;
    },
    outputs,
    argv,
    passwords,
    revisions,
    env,
    cdktf,
    deploy,
    mustDeploy,
    async deployFresh(stacks, extra = {}) {
      const deploying = deploy(stacks, extra);
      const failed = deploying.then((r) => {
        if (r.code !== 0) throw new Error(`cdktf deploy exited ${r.code}\n${r.output}`);
        return new Promise<never>(() => {});
      });
      await Promise.race([h.startFlux(), failed]);
      const result = await deploying;
      if (result.code !== 0)
        throw new Error(`cdktf deploy exited ${result.code}\n${result.output}${logs()}`);
      return result;
    },
    engine,
    async expectNoChanges(stack) {
      const result = await engine(stack, ['plan', '-detailed-exitcode', '-input=false']);
      expect({ stack, plan: result.code === 0 ? 'no changes' : result.output }).toEqual({
        stack,
        plan: 'no changes',
      });
    },
    logs,
    read: (kind, apiVersion, name) => h.read(kind, apiVersion, name),
    tagDigest: async (url = componentsUrl(h.registries, 'production')) =>
      (await resolveArtifact(url, { credentials: user, caFile: h.registries.caFile }))?.digest,
    expectNoLeak(minStates) {
      expectNoLeak(
        [
          ...passwordForms(passwords, [user.username, fleetUser.username]),
          ...(puller ? pullSecretForms(puller) : []),
        ],
        { workDir: work, minStates, outputs, argv },
      );
    },
  };
}
