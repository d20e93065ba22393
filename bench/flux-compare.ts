// flux-oci side by side with the real Flux CLI (tools/flux, built from its Go module on first
// use): each case of issue 11's table, both tools run alternately as child processes against
// one local docker-registry, printing min/median/max wall time, the ratio of the medians and
// the median peak RSS of each (from /usr/bin/time), and whether each of issue 11's goals is met
// (time against Flux, or against bare node for start-up; peak RSS at most Flux's for a push or pull).
//
//   npm run build && npx tsx bench/flux-compare.ts [--runs 5]
//
// Trees: a small one (20 manifests of about 2 KB), a 50 MB one (50 files of 1 MB of random
// base64, fixed seed) and one of 20 000 small manifests (its 3x goal is ours, not the issue's). "push again" pushes the same tree under a new tag of a
// repository that holds it already. Bare `node -e 0` is measured too, the start-up floor.
import { spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fluxBinary } from '../test/support/flux-cli.js';
import { startRegistry } from '../test/support/registry.js';

const runs = Number(process.argv[process.argv.indexOf('--runs') + 1]) || 5;
const root = join(import.meta.dirname, '..');
const fluxOci = join(root, 'bin', 'flux-oci.js');
const flux = fluxBinary();
const work = mkdtempSync(join(tmpdir(), 'flux-oci-compare-'));
const home = join(work, 'home');
mkdirSync(home);

interface Sample {
  readonly seconds: number;
  readonly rssMib: number;
}

/** Runs a command under /usr/bin/time; fails loudly when it fails. */
function timed(command: string, args: readonly string[]): Sample {
  const timeFile = join(work, 'time.txt');
  const start = process.hrtime.bigint();
  const res = spawnSync('/usr/bin/time', ['-o', timeFile, '-f', '%e %M', command, ...args], {
    env: { PATH: process.env.PATH, HOME: home, TMPDIR: work },
    encoding: 'utf8',
  });
  const seconds = Number(process.hrtime.bigint() - start) / 1e9;
  if (res.status !== 0) {
    throw new Error(`${command} ${args.join(' ')} failed (${res.status}):\n${res.stderr}`);
  }
  // /usr/bin/time's own wall time has 10 ms steps: it gives the peak RSS only.
  const kib = readFileSync(timeFile, 'utf8').trim().split('\n').pop()!.split(' ')[1];
  return { seconds, rssMib: Number(kib) / 1024 };
}

/** Deterministic random base64 (the issue's 50 MB tree: it compresses to about 75%). */
function randomText(seed: string, bytes: number): string {
  const parts: Buffer[] = [];
  let length = 0;
  for (let i = 0; length < bytes; i++) {
    const block = createHash('sha512').update(`${seed}/${i}`).digest();
    parts.push(block);
    length += block.length * (4 / 3);
  }
  return Buffer.concat(parts).toString('base64').slice(0, bytes);
}

function writeFiles(dir: string, files: Record<string, string>): string {
  for (const [name, content] of Object.entries(files)) {
    mkdirSync(join(dir, name, '..'), { recursive: true });
    writeFileSync(join(dir, name), content);
  }
  return dir;
}

const small = writeFiles(
  join(work, 'small'),
  Object.fromEntries(
    Array.from({ length: 20 }, (_, i) => [
      `apps/app-${i}.yaml`,
      `apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: app-${i}\ndata:\n  value: ${randomText(`s${i}`, 2000)}\n`,
    ]),
  ),
);
const large = writeFiles(
  join(work, 'large'),
  Object.fromEntries(
    Array.from({ length: 50 }, (_, i) => [`data/file-${i}.txt`, randomText(`l${i}`, 1_000_000)]),
  ),
);

// Many small files (a large monorepo's manifests): 20 000 of 0-3 KB in 100 directories, ~30 MB.
const many = writeFiles(
  join(work, 'many'),
  Object.fromEntries(
    Array.from({ length: 20_000 }, (_, i) => [
      `apps/team-${i % 100}/app-${i}.yaml`,
      `apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: app-${i}\ndata:\n  value: ${randomText(`m${i}`, i % 3000)}\n`,
    ]),
  ),
);

const meta = [
  '--source=https://github.com/example/bench',
  '--revision=main@sha1:0123456789abcdef0123456789abcdef01234567',
];

/** Issue 11's goal for a case: the largest ratio of medians, against Flux or bare node. */
interface Goal {
  readonly ratio: number;
  readonly against: 'flux' | 'node';
  /** Peak RSS at most Flux's (pushes and pulls). */
  readonly memory: boolean;
}

interface Case {
  readonly label: string;
  readonly goal: Goal;
  /** The arguments of run `i` for each tool; `prepare` runs untimed before each. */
  readonly ours: (i: number) => string[];
  readonly theirs: (i: number) => string[];
  readonly prepare?: (i: number) => void;
}

const registry = await startRegistry();
const host = registry.host;
// Pulls write into memory-backed storage where there is one: thousands of files written to a
// disk time its writeback (seconds, at random) rather than either tool.
const pulled = mkdtempSync(join(existsSync('/dev/shm') ? '/dev/shm' : work, 'flux-oci-pulled-'));
let outCount = 0;
const freshDir = (): string => {
  // Only the last two pulls are kept (memory-backed storage is memory).
  if (outCount >= 2) rmSync(join(pulled, `out-${outCount - 2}`), { recursive: true, force: true });
  const dir = join(pulled, `out-${outCount++}`);
  mkdirSync(dir);
  return dir;
};

const cases: Case[] = [
  {
    label: 'start-up (`--version`)',
    goal: { ratio: 3, against: 'node', memory: false },
    ours: () => ['--version'],
    theirs: () => ['--version'],
  },
  {
    label: '`push artifact --help`',
    goal: { ratio: 3, against: 'node', memory: false },
    ours: () => ['push', 'artifact', '--help'],
    theirs: () => ['push', 'artifact', '--help'],
  },
  {
    label: 'push small tree, new tag',
    goal: { ratio: 3, against: 'flux', memory: true },
    ours: (i) => [
      'push',
      'artifact',
      `oci://${host}/bench/ours-small:r${i}`,
      `--path=${small}`,
      ...meta,
    ],
    theirs: (i) => [
      'push',
      'artifact',
      `oci://${host}/bench/flux-small:r${i}`,
      `--path=${small}`,
      ...meta,
    ],
  },
  {
    label: 'pull small tree',
    goal: { ratio: 3, against: 'flux', memory: true },
    ours: () => ['pull', 'artifact', `oci://${host}/bench/ours-small:r0`, `--output=${freshDir()}`],
    theirs: () => [
      'pull',
      'artifact',
      `oci://${host}/bench/flux-small:r0`,
      `--output=${freshDir()}`,
    ],
  },
  {
    label: 'push 20 000-file tree, new tag',
    goal: { ratio: 3, against: 'flux', memory: true },
    ours: (i) => [
      'push',
      'artifact',
      `oci://${host}/bench/ours-many:r${i}`,
      `--path=${many}`,
      ...meta,
    ],
    theirs: (i) => [
      'push',
      'artifact',
      `oci://${host}/bench/flux-many:r${i}`,
      `--path=${many}`,
      ...meta,
    ],
  },
  {
    label: 'pull 20 000-file tree',
    goal: { ratio: 3, against: 'flux', memory: true },
    ours: () => ['pull', 'artifact', `oci://${host}/bench/ours-many:r0`, `--output=${freshDir()}`],
    theirs: () => [
      'pull',
      'artifact',
      `oci://${host}/bench/flux-many:r0`,
      `--output=${freshDir()}`,
    ],
  },
  {
    label: 'push 50 MB tree, fresh repository',
    goal: { ratio: 1.5, against: 'flux', memory: true },
    ours: (i) => [
      'push',
      'artifact',
      `oci://${host}/bench/ours-fresh-${i}:v1`,
      `--path=${large}`,
      ...meta,
    ],
    theirs: (i) => [
      'push',
      'artifact',
      `oci://${host}/bench/flux-fresh-${i}:v1`,
      `--path=${large}`,
      ...meta,
    ],
  },
  {
    label: 'push 50 MB tree again (blobs there)',
    goal: { ratio: 1.5, against: 'flux', memory: true },
    ours: (i) => [
      'push',
      'artifact',
      `oci://${host}/bench/ours-fresh-0:again-${i}`,
      `--path=${large}`,
      ...meta,
    ],
    theirs: (i) => [
      'push',
      'artifact',
      `oci://${host}/bench/flux-fresh-0:again-${i}`,
      `--path=${large}`,
      ...meta,
    ],
  },
  {
    label: 'pull 50 MB',
    goal: { ratio: 1.5, against: 'flux', memory: true },
    ours: () => [
      'pull',
      'artifact',
      `oci://${host}/bench/ours-fresh-0:v1`,
      `--output=${freshDir()}`,
    ],
    theirs: () => [
      'pull',
      'artifact',
      `oci://${host}/bench/flux-fresh-0:v1`,
      `--output=${freshDir()}`,
    ],
  },
  {
    label: 'build artifact 50 MB',
    goal: { ratio: 1.5, against: 'flux', memory: false },
    ours: (i) => [
      'build',
      'artifact',
      `--path=${large}`,
      `--output=${join(work, `ours-${i}.tgz`)}`,
    ],
    theirs: (i) => [
      'build',
      'artifact',
      `--path=${large}`,
      `--output=${join(work, `flux-${i}.tgz`)}`,
    ],
  },
  {
    // Each tool against its own push of the same tree: equal layers, one manifest request.
    label: 'diff artifact 50 MB',
    goal: { ratio: 1.5, against: 'flux', memory: false },
    ours: () => ['diff', 'artifact', `oci://${host}/bench/ours-fresh-0:v1`, `--path=${large}`],
    theirs: () => ['diff', 'artifact', `oci://${host}/bench/flux-fresh-0:v1`, `--path=${large}`],
  },
];

const median = (values: number[]): number =>
  [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)]!;
const spread = (samples: Sample[]): string => {
  const s = samples.map((x) => x.seconds);
  return `${Math.min(...s).toFixed(3)} / ${median(s).toFixed(3)} / ${Math.max(...s).toFixed(3)}`;
};

try {
  const { stdout: fluxVersion } = spawnSync(flux, ['--version'], { encoding: 'utf8' });
  const node = Array.from({ length: runs }, () => timed(process.execPath, ['-e', '0']));
  console.log(
    `node ${process.version}, ${fluxVersion.trim()}, docker-registry on ${host}, ${runs} runs each, alternating; times in s (min / median / max)\n`,
  );
  console.log(`bare \`node -e 0\`: ${spread(node)} s\n`);
  const nodeMedian = median(node.map((s) => s.seconds));
  const missed: string[] = [];
  console.log(
    '| case | flux-oci | flux (Go) | ratio to Flux | goal | peak RSS flux-oci / flux | goal met |',
  );
  console.log('|---|---|---|---|---|---|---|');
  for (const c of cases) {
    const ours: Sample[] = [];
    const theirs: Sample[] = [];
    for (let i = 0; i < runs; i++) {
      c.prepare?.(i);
      // Alternate which tool goes first, so neither always finds a warmer machine.
      if (i % 2 === 0) {
        ours.push(timed(process.execPath, [fluxOci, ...c.ours(i)]));
        theirs.push(timed(flux, c.theirs(i)));
      } else {
        theirs.push(timed(flux, c.theirs(i)));
        ours.push(timed(process.execPath, [fluxOci, ...c.ours(i)]));
      }
    }
    const oursMedian = median(ours.map((s) => s.seconds));
    const ratio = oursMedian / median(theirs.map((s) => s.seconds));
    const goalRatio = c.goal.against === 'node' ? oursMedian / nodeMedian : ratio;
    const oursRss = median(ours.map((s) => s.rssMib));
    const theirsRss = median(theirs.map((s) => s.rssMib));
    const timeMet = goalRatio <= c.goal.ratio;
    const memoryMet = !c.goal.memory || oursRss <= theirsRss;
    const goal =
      `≤ ${c.goal.ratio}x ${c.goal.against === 'node' ? `bare node (${goalRatio.toFixed(2)}x)` : 'Flux'}` +
      (c.goal.memory ? ', RSS ≤ Flux' : '');
    if (!timeMet) missed.push(`${c.label}: time`);
    if (!memoryMet) missed.push(`${c.label}: memory`);
    console.log(
      `| ${c.label} | ${spread(ours)} | ${spread(theirs)} | ${ratio.toFixed(2)}x | ${goal} | ${oursRss.toFixed(0)} / ${theirsRss.toFixed(0)} MiB | ${timeMet && memoryMet ? 'yes' : 'no'} |`,
    );
  }
  console.log(`\ngoals missed: ${missed.length === 0 ? 'none' : missed.join('; ')}`);
} finally {
  await registry.stop();
  rmSync(work, { recursive: true, force: true });
  rmSync(pulled, { recursive: true, force: true });
}
