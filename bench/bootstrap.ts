// Benchmark: wall time of a bootstrap on the real-components harness and of a no-op re-run,
// through `flux-oci bootstrap oci` and, with --cdktf, through `cdktf deploy` of the story 1
// example app (OpenTofu, offline providers). The harness start is timed apart.
//
//   npm run build && npx tsx bench/bootstrap.ts [--cdktf [--providers]]
//
// --providers deploys stacks/story1-providers.ts (the construct's provider rendering: two
// stacks, hashicorp/kubernetes and hashicorp/null from the harness's offline mirror).
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { startCluster, type Cluster } from '../test/e2e/harness/cluster.js';
import { startFlux, type Flux } from '../test/e2e/harness/flux.js';
import { prepareTerraform } from '../test/e2e/harness/terraform.js';
import { runFluxOci } from '../test/e2e/support/flux-oci-cli.js';
import { runCdktf, writeCdktfProject } from '../test/e2e/support/cdktf-cli.js';
import {
  startStory1Registries,
  story1AppEnv,
  story1BootstrapArgs,
  story1BootstrapEnv,
} from '../test/e2e/support/story1.js';

const user = { username: 'flux', password: 'bench-only-p4ss' };
const fleetUser = { username: 'fleet-reader', password: 'bench-only-fleet-p4ss' };
const rows: [string, number][] = [];

async function timed<T>(what: string, fn: () => Promise<T>): Promise<T> {
  const start = performance.now();
  const value = await fn();
  rows.push([what, performance.now() - start]);
  process.stderr.write(`${what}: ${Math.round(performance.now() - start)} ms\n`);
  return value;
}

/** Starts the controllers as soon as the bootstrap has made their kinds served. */
function startFluxWhenCrdsServed(cluster: Cluster): Promise<Flux> {
  return startFlux(cluster, { installCrds: false, crdTimeoutMs: 600_000 });
}

const withCdktf = process.argv.includes('--cdktf');
const withProviders = process.argv.includes('--providers');
const registries = await timed('harness: two registries (TLS, htpasswd)', () =>
  startStory1Registries(user, fleetUser),
);
const cluster = await timed('harness: API server', () => startCluster());
let flux: Flux | undefined;
const work = mkdtempSync(join(tmpdir(), 'flux-oci-bench-'));
try {
  if (withCdktf) {
    const tf = await prepareTerraform();
    writeCdktfProject(work, withProviders ? 'story1-providers.ts' : 'story1-basic-auth.ts');
    const env = story1AppEnv(registries, cluster, tf.tofuPath, tf.env);
    // Offline: no `providers lock`, which asks the registry for the providers' hashes.
    const deployArgs = ['deploy', '*', '--auto-approve', '--skip-provider-lock'];
    await timed('cdktf deploy (fresh cluster, every stack)', async () => {
      const deploy = runCdktf(work, deployArgs, env);
      flux = await startFluxWhenCrdsServed(cluster);
      const result = await deploy;
      if (result.code !== 0) throw new Error(result.output);
    });
    await timed('cdktf deploy (no changes)', async () => {
      const result = await runCdktf(work, deployArgs, env);
      if (result.code !== 0) throw new Error(result.output);
    });
  } else {
    const args = story1BootstrapArgs(registries, cluster);
    const env = story1BootstrapEnv(registries);
    await timed('flux-oci bootstrap oci (fresh cluster)', async () => {
      const run = runFluxOci(args, { stdin: user.password, env });
      flux = await startFluxWhenCrdsServed(cluster);
      const result = await run;
      if (result.code !== 0) throw new Error(result.stderr);
    });
    await timed('flux-oci bootstrap oci (re-run, nothing to change)', async () => {
      const result = await runFluxOci(args, { stdin: user.password, env });
      if (result.code !== 0) throw new Error(result.stderr);
    });
  }
} finally {
  await flux?.stop();
  await cluster.stop();
  await registries.stop();
  rmSync(work, { recursive: true, force: true });
}
console.log(['step', 'wall time'].join('\t'));
for (const [what, ms] of rows) console.log(`${what}\t${(ms / 1000).toFixed(1)} s`);
