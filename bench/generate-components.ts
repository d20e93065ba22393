// Benchmark: time to generate Flux's components (flux install --export) for the default
// options and with every extra component, with the object count and the peak memory.
//
//   npx tsx bench/generate-components.ts [bundle dir or manifests.tar.gz]   (default: FLUX_MANIFESTS, else the test fixture)
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { DEFAULT_COMPONENTS, EXTRA_COMPONENTS } from '../src/flux/flux-components.js';
import { generateComponents } from '../src/flux/generate-components.js';
import type { InstallOptions } from '../src/flux/install-options.js';
import { loadManifests } from '../src/flux/manifests/source.js';

const RUNS = 20;
const bundlePath =
  process.argv[2] ??
  process.env.FLUX_MANIFESTS ??
  join(import.meta.dirname, '..', 'test', 'fixtures', 'flux-bundle');

let peakRss = process.memoryUsage().rss;
const sampler = setInterval(() => (peakRss = Math.max(peakRss, process.memoryUsage().rss)), 5);

const loadStart = performance.now();
const bundle = await loadManifests({ manifestsPath: bundlePath });
const loadMs = performance.now() - loadStart;
console.log(`bundle ${bundlePath} (Flux ${bundle.version}): loaded in ${loadMs.toFixed(1)} ms`);

// A partial bundle (like the harness's two-controller set) benchmarks the components it has.
const present = (c: string) => bundle.files.has(`${c}.yaml`);
const components = DEFAULT_COMPONENTS.filter(present);
const cases: [string, InstallOptions][] = [
  [`default options (${components.join(',')})`, { components }],
  ['all extra components', { components, componentsExtra: EXTRA_COMPONENTS.filter(present) }],
];
for (const [name, options] of cases) {
  const times: number[] = [];
  let objects = 0;
  let bytes = 0;
  for (let i = 0; i < RUNS; i++) {
    const start = performance.now();
    const generated = generateComponents(bundle, options);
    times.push(performance.now() - start);
    objects = generated.objects.length;
    bytes = generated.text.length;
    peakRss = Math.max(peakRss, process.memoryUsage().rss);
  }
  times.sort((a, b) => a - b);
  console.log(
    `${name}: ${objects} objects, ${(bytes / 1024).toFixed(0)} KiB; ` +
      `median ${times[Math.floor(RUNS / 2)].toFixed(1)} ms, min ${times[0].toFixed(1)} ms, max ${times[RUNS - 1].toFixed(1)} ms over ${RUNS} runs`,
  );
}
clearInterval(sampler);
console.log(
  `peak RSS ${(peakRss / 1024 / 1024).toFixed(0)} MiB, heap used now ${(process.memoryUsage().heapUsed / 1024 / 1024).toFixed(0)} MiB`,
);
