// Benchmark: `flux-oci trace` against the real `flux trace` (tools/flux, v2.9.5) on the same
// objects of a cluster bootstrapped on the real-components harness (story 1's registries):
// a Flux component (Deployment/source-controller) and an object Flux does not manage (the
// namespace's default ServiceAccount). Each command runs as a process, as a user runs it;
// the median of the runs is printed with the ratio flux-oci / flux, and `flux-oci --version`
// as the floor of any flux-oci process. flux keeps discovery in $HOME/.kube/cache between
// runs (one HOME for all its runs here); flux-oci asks the API server each time.
//
//   npm run build && npx tsx bench/trace.ts [--runs 9]
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { startCluster } from '../test/e2e/harness/cluster.js';
import { startFlux, type Flux } from '../test/e2e/harness/flux.js';
import { runFluxOci } from '../test/e2e/support/flux-oci-cli.js';
import {
  startStory1Registries,
  story1BootstrapArgs,
  story1BootstrapEnv,
} from '../test/e2e/support/story1.js';
import { fluxBinary, runFluxCli } from '../test/support/flux-cli.js';

const runsFlag = process.argv.indexOf('--runs');
const runs = runsFlag > 0 ? Number(process.argv[runsFlag + 1]) : 9;
const user = { username: 'flux', password: 'bench-only-p4ss' };
const fleetUser = { username: 'fleet-reader', password: 'bench-only-fleet-p4ss' };

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)];
}

/** Median wall time of `runs` runs of `fn`, which throws when the command failed. */
async function medianMs(fn: () => Promise<void>): Promise<number> {
  const times: number[] = [];
  for (let i = 0; i < runs; i++) {
    const start = performance.now();
    await fn();
    times.push(performance.now() - start);
  }
  return median(times);
}

fluxBinary(); // built (or found in the cache) before anything is timed
const home = mkdtempSync(join(tmpdir(), 'flux-trace-bench-'));
const registries = await startStory1Registries(user, fleetUser);
const cluster = await startCluster();
let flux: Flux | undefined;
try {
  const bootstrap = runFluxOci(story1BootstrapArgs(registries, cluster), {
    stdin: user.password,
    env: story1BootstrapEnv(registries),
  });
  flux = await startFlux(cluster, { installCrds: false, crdTimeoutMs: 600_000 });
  const done = await bootstrap;
  if (done.code !== 0) throw new Error(done.stderr);

  const kubeconfig = `--kubeconfig=${cluster.kubeconfigPath}`;
  const floor = await medianMs(async () => {
    const result = await runFluxOci(['--version']);
    if (result.code !== 0) throw new Error(result.stderr);
  });
  console.log(`flux-oci --version: ${Math.round(floor)} ms (median of ${runs})`);
  console.log(['object', 'flux-oci trace', 'flux trace', 'ratio'].join('\t'));
  for (const object of ['deployment/source-controller', 'serviceaccount/default']) {
    const args = ['trace', '-n', 'flux-system', object, kubeconfig];
    // The default ServiceAccount is not Flux's: both commands end with their message (flux exits 0).
    const managed = object.startsWith('deployment/');
    const ours = await medianMs(async () => {
      const result = await runFluxOci(args);
      if (result.code !== (managed ? 0 : 1)) throw new Error(result.stderr);
    });
    const theirs = await medianMs(async () => {
      const result = await runFluxCli(args, home, { TZ: 'UTC' });
      if (result.code !== 0) throw new Error(result.stderr);
    });
    console.log(
      [
        object,
        `${Math.round(ours)} ms`,
        `${Math.round(theirs)} ms`,
        (ours / theirs).toFixed(2),
      ].join('\t'),
    );
  }
} finally {
  await flux?.stop();
  await cluster.stop();
  await registries.stop();
  rmSync(home, { recursive: true, force: true });
}
