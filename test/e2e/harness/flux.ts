// Flux source-controller and kustomize-controller, built from their Go modules, run as
// local processes against a harness cluster (there is no kubelet to run their
// Deployments). source-controller serves artifacts on 127.0.0.1 and advertises that
// address, so kustomize-controller fetches from it as it would from the in-cluster Service.
import { execFile } from 'node:child_process';
import { mkdir, mkdtemp, readdir, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { applyFiles } from './apply.js';
import type { Cluster } from './cluster.js';
import { KubeRequester } from './kube-request.js';
import { onFreePorts } from '../../support/ports.js';
import { startProcess, type ServerProcess } from './process.js';
import { goTool, repoRoot } from './tools.js';
import { waitFor } from './wait.js';

const run = promisify(execFile);

export interface FluxOptions {
  /** RUNTIME_NAMESPACE of the controllers. @default 'flux-system' */
  namespace?: string;
  /**
   * Apply the controllers' CRDs (from the same module versions) before starting them. With
   * false, something else installs them (the bootstrap under test): startFlux waits until
   * the kinds are served, since the controllers exit at start-up when they are not.
   * @default true
   */
  installCrds?: boolean;
  /** How long to wait for the kinds to be served. @default 120000 */
  crdTimeoutMs?: number;
  /** Called each time the kinds are found not served yet (the harness's own test). */
  onKindsNotServed?: () => void;
  /** --log-level of both controllers. @default 'info' */
  logLevel?: 'debug' | 'info' | 'error';
  /** More environment of both controllers (a cloud identity, proxies, CAs). @default none */
  env?: Record<string, string>;
}

export interface Flux {
  /** http://127.0.0.1:<port>: source-controller's artifact storage server. */
  storageUrl: string;
  /** Log files of the controllers, for failure messages. */
  logs: { sourceController: string; kustomizeController: string };
  stop(): Promise<void>;
}

/** The CRD files of the controller modules the harness builds (source, then kustomize). */
export async function fluxCrdFiles(): Promise<string[]> {
  const files: string[] = [];
  for (const [tool, module] of [
    ['source-controller', 'github.com/fluxcd/source-controller'],
    ['kustomize-controller', 'github.com/fluxcd/kustomize-controller'],
  ]) {
    const dir = await moduleDir(tool, module);
    const bases = join(dir, 'config/crd/bases');
    for (const name of (await readdir(bases)).filter((f) => f.endsWith('.yaml')).sort()) {
      files.push(join(bases, name));
    }
  }
  return files;
}

/** The module's directory in the Go module cache, downloading it if needed. */
async function moduleDir(tool: string, module: string): Promise<string> {
  const { stdout } = await run('go', ['mod', 'download', '-json', module], {
    cwd: join(repoRoot, 'tools', tool),
    env: { ...process.env, GOFLAGS: '-mod=readonly' },
  });
  return (JSON.parse(stdout) as { Dir: string }).Dir;
}

/** The kinds the two controllers watch, by API group version. */
const watchedKinds: Record<string, string[]> = {
  'source.toolkit.fluxcd.io/v1': [
    'OCIRepository',
    'GitRepository',
    'Bucket',
    'HelmRepository',
    'HelmChart',
  ],
  'kustomize.toolkit.fluxcd.io/v1': ['Kustomization'],
};

async function waitForKinds(
  kubeconfigPath: string,
  timeoutMs: number,
  onNotServed: () => void = () => undefined,
): Promise<void> {
  const kube = new KubeRequester(kubeconfigPath);
  for (const [groupVersion, kinds] of Object.entries(watchedKinds)) {
    await waitFor(
      `${kinds.join(', ')} served at /apis/${groupVersion}`,
      async () => {
        const res = await kube.send('GET', `/apis/${groupVersion}`);
        const served =
          res.status === 200 ? (res.body as { resources: { kind: string }[] }).resources : [];
        if (kinds.every((k) => served.some((r) => r.kind === k))) return true;
        onNotServed();
        return undefined;
      },
      timeoutMs,
    );
  }
}

export async function startFlux(cluster: Cluster, opts: FluxOptions = {}): Promise<Flux> {
  const [sourceBin, kustomizeBin] = [
    await goTool('source-controller'),
    await goTool('kustomize-controller'),
  ];
  if (opts.installCrds ?? true) await applyFiles(cluster.kubeconfigPath, await fluxCrdFiles());
  await waitForKinds(cluster.kubeconfigPath, opts.crdTimeoutMs ?? 120_000, opts.onKindsNotServed);

  const dir = await mkdtemp(join(cluster.dir, 'flux-'));
  // Each controller works in temporary directories of its own (kustomize-controller builds
  // in $TMPDIR/kustomization-*): another job on the machine cleaning /tmp cannot pull them
  // away mid-build.
  const tmp = join(dir, 'tmp');
  await mkdir(tmp);
  // The controllers find the API server through KUBECONFIG (controller-runtime's loader).
  const env = {
    KUBECONFIG: cluster.kubeconfigPath,
    RUNTIME_NAMESPACE: opts.namespace ?? 'flux-system',
    TMPDIR: tmp,
    ...opts.env,
  };
  const logLevel = opts.logLevel ?? 'info';
  const procs: ServerProcess[] = [];
  const stop = async (): Promise<void> => {
    for (const p of procs.reverse()) await p.stop();
    procs.length = 0;
    if (!process.env.FLUX_OCI_KEEP_HARNESS) await rm(dir, { recursive: true, force: true });
  };
  const common = (health: number, metrics: number): string[] => [
    `--metrics-addr=127.0.0.1:${metrics}`,
    `--health-addr=127.0.0.1:${health}`,
    '--enable-leader-election=false',
    '--events-addr=',
    `--log-level=${logLevel}`,
    '--log-encoding=json',
  ];
  try {
    const storagePath = join(dir, 'storage');
    await mkdir(storagePath); // source-controller refuses a storage path that does not exist
    const logs = {
      sourceController: join(dir, 'source-controller.log'),
      kustomizeController: join(dir, 'kustomize-controller.log'),
    };
    const storageAddr = await onFreePorts(3, async ([health, metrics, storagePort]) => {
      const storageAddr = `127.0.0.1:${storagePort}`;
      procs.push(
        await startProcess({
          name: 'source-controller',
          command: sourceBin,
          args: [
            ...common(health, metrics),
            `--storage-path=${storagePath}`,
            `--storage-addr=${storageAddr}`,
            `--storage-adv-addr=${storageAddr}`,
          ],
          env,
          cwd: dir,
          logFile: logs.sourceController,
          ready: async () => (await fetch(`http://127.0.0.1:${health}/readyz`)).ok,
          timeoutMs: 120_000,
        }),
      );
      return storageAddr;
    });
    await onFreePorts(2, async ([health, metrics]) => {
      procs.push(
        await startProcess({
          name: 'kustomize-controller',
          command: kustomizeBin,
          args: common(health, metrics),
          env,
          cwd: dir,
          logFile: logs.kustomizeController,
          ready: async () => (await fetch(`http://127.0.0.1:${health}/readyz`)).ok,
          timeoutMs: 120_000,
        }),
      );
    });
    return { storageUrl: `http://${storageAddr}`, logs, stop };
  } catch (err) {
    await stop();
    throw err;
  }
}
