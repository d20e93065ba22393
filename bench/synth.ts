// Benchmark: synthesis of an app with 1 FluxBootstrapOci and with 50 (one per cluster: its
// own clusterPath and kubeconfig context, the same components options), which must share
// one components artifact: built once, not 50 times. Prints the wall times, the number of
// components builds, their ratio and the peak RSS of the synthesizing process.
//
//   npm run build && npx tsx bench/synth.ts [runs] [--rendering=providers|terraform-data]
//   (default 3 runs per case and the construct's default rendering; the construct builds the
//   artifact with bin/flux-oci.js, i.e. dist/)
//
// Each run is its own process (a fresh App, cache and heap), in a fresh TMPDIR so that the
// builds can be counted: each one writes a new flux-components-* directory there.
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';

const CASES = [1, 50];
const bundle =
  process.env.FLUX_MANIFESTS ?? join(import.meta.dirname, '..', 'test', 'fixtures', 'flux-bundle');

/** What one run reports on stdout. */
interface RunResult {
  /** Constructs created and app.synth(), in milliseconds. */
  readonly synthMs: number;
  /** Node start, module loading and synthesis, as the parent saw it. */
  processMs: number;
  readonly builds: number;
  readonly stacks: number;
  /** Peak resident set of the synthesizing process, in KiB. */
  readonly maxRssKiB: number;
}

const renderingArg = process.argv.find((arg) => arg.startsWith('--rendering='));
const rendering = renderingArg?.slice('--rendering='.length) as
  'providers' | 'terraform-data' | undefined;
const caseArg = process.argv.indexOf('--case');
if (caseArg >= 0) {
  console.log(JSON.stringify(await runCase(Number(process.argv[caseArg + 1]))));
} else {
  main();
}

async function runCase(clusters: number): Promise<Omit<RunResult, 'processMs'>> {
  const { App, TerraformStack } = await import('cdktf');
  const { FluxBootstrapOci } = await import('../src/index.js');
  const outdir = mkdtempSync(join(tmpdir(), 'synth-out-'));
  try {
    const start = performance.now();
    const app = new App({ outdir });
    for (let i = 0; i < clusters; i++) {
      // One stack per cluster, as a fleet app would have.
      const stack = new TerraformStack(app, `cluster-${i}`);
      new FluxBootstrapOci(stack, 'flux', {
        ...(rendering ? { rendering } : {}),
        url: 'oci://ghcr.io/acme/flux-manifests:production',
        username: 'flux',
        password: FluxBootstrapOci.sensitiveVariable('oci_password'),
        clusterUrl: 'oci://ghcr.io/acme/fleet:production',
        clusterPath: `clusters/cluster-${i}`,
        context: `cluster-${i}`,
        manifests: bundle,
      });
    }
    app.synth();
    const synthMs = performance.now() - start;
    const builds = readdirSync(tmpdir()).filter((name) => name.startsWith('flux-components-'));
    return {
      synthMs,
      builds: builds.length,
      stacks: readdirSync(join(outdir, 'stacks')).length,
      maxRssKiB: process.resourceUsage().maxRSS,
    };
  } finally {
    rmSync(outdir, { recursive: true, force: true });
  }
}

function main(): void {
  const runs = Number(process.argv.slice(2).find((arg) => /^\d+$/.test(arg)) ?? 3);
  const medians = new Map<number, RunResult>();
  for (const clusters of CASES) {
    const results: RunResult[] = [];
    for (let run = 0; run < runs; run++) results.push(runInChild(clusters));
    const median = (pick: (r: RunResult) => number) =>
      results.map(pick).sort((a, b) => a - b)[Math.floor(runs / 2)];
    const summary: RunResult = {
      synthMs: median((r) => r.synthMs),
      processMs: median((r) => r.processMs),
      builds: Math.max(...results.map((r) => r.builds)),
      stacks: results[0].stacks,
      maxRssKiB: Math.max(...results.map((r) => r.maxRssKiB)),
    };
    medians.set(clusters, summary);
    console.log(
      `${clusters} cluster${clusters === 1 ? '' : 's'} (${summary.stacks} stacks): ` +
        `synth ${summary.synthMs.toFixed(0)} ms (median of ${runs}; ${results.map((r) => r.synthMs.toFixed(0)).join(', ')}), ` +
        `process ${summary.processMs.toFixed(0)} ms, components builds ${summary.builds}, ` +
        `peak RSS ${(summary.maxRssKiB / 1024).toFixed(0)} MiB`,
    );
  }
  const one = medians.get(1)!;
  const fifty = medians.get(50)!;
  console.log(
    `50 clusters / 1 cluster: synth ${(fifty.synthMs / one.synthMs).toFixed(1)}x, ` +
      `per cluster ${((fifty.synthMs - one.synthMs) / 49).toFixed(0)} ms after the first`,
  );
  if (fifty.builds !== 1) {
    console.error(`✗ 50 clusters built the components ${fifty.builds} times; expected once`);
    process.exitCode = 1;
  }
}

/** One case in its own process and TMPDIR, so caches, heap and build count start from zero. */
function runInChild(clusters: number): RunResult {
  const dir = mkdtempSync(join(tmpdir(), 'bench-synth-'));
  try {
    const start = performance.now();
    const child = spawnSync(
      process.execPath,
      [
        ...process.execArgv,
        import.meta.filename,
        '--case',
        String(clusters),
        ...(renderingArg ? [renderingArg] : []),
      ],
      { encoding: 'utf8', env: { ...process.env, TMPDIR: dir, CHECKPOINT_DISABLE: '1' } },
    );
    const processMs = performance.now() - start;
    if (child.status !== 0) {
      throw new Error(`the ${clusters}-cluster run failed (${child.status}):\n${child.stderr}`);
    }
    const result = JSON.parse(child.stdout.trim().split('\n').pop()!) as RunResult;
    result.processMs = processMs;
    return result;
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
