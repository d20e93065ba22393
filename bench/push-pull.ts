// Push and pull a 1 MB manifests tree and a 50 MB tree to a local registry with flux-oci's
// client and with skopeo, printing wall time, HTTP requests and bytes sent, and the ratio.
//
//   npx tsx bench/push-pull.ts [--runs 3]
//
// Requests and bytes are counted by a proxy in front of the registry (the same for both
// tools); wall times are the median of the timed runs made directly against the registry.
import { execFile } from 'node:child_process';
import { createHash } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { buildArtifact, extractLayer, type Artifact } from '../src/oci/index.js';
import { writeOciLayout } from '../src/oci/layout.js';
import { pullArtifact, pushArtifact } from '../src/oci/registry/index.js';
import { writeTree } from '../test/support/artifacts.js';
import { startFaultProxy, type FaultProxy } from '../test/support/fault-proxy.js';
import { startRegistry } from '../test/support/registry.js';

const run = promisify(execFile);

/**
 * skopeo with an empty HOME each time: its blob-info cache would otherwise remember where
 * blobs were pushed before and mount them instead of uploading, which is not what we compare.
 */
async function skopeo(args: string[]): Promise<void> {
  const home = mkdtempSync(join(tmpdir(), 'flux-oci-bench-skopeo-home-'));
  try {
    await run('skopeo', args, {
      env: { ...process.env, HOME: home, XDG_DATA_HOME: join(home, '.local', 'share') },
    });
  } finally {
    rmSync(home, { recursive: true, force: true });
  }
}
const runs = Number(process.argv[process.argv.indexOf('--runs') + 1]) || 3;
const clientOptions = { allowInsecureHttp: true, useAuthFile: false } as const;

/** Deterministic text: `bytes` of YAML-looking lines that gzip about as well as real manifests. */
function manifestsTree(totalBytes: number, fileBytes: number): Record<string, string> {
  const files: Record<string, string> = {};
  for (let i = 0; files && Object.keys(files).length * fileBytes < totalBytes; i++) {
    let body = `apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: app-${i}\n  namespace: team-${i % 17}\nspec:\n`;
    for (let line = 0; body.length < fileBytes; line++) {
      const hash = createHash('sha256').update(`${i}/${line}`).digest('hex');
      body += `  # ${line}\n  label-${line}: value-${hash.slice(0, 24)}\n`;
    }
    files[`apps/team-${i % 17}/app-${i}.yaml`] = body.slice(0, fileBytes);
  }
  return files;
}

interface Measure {
  ms: number;
  requests: number;
  bytesSent: number;
}

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)];
}

async function timed(fn: () => Promise<unknown>): Promise<number> {
  const start = process.hrtime.bigint();
  await fn();
  return Number(process.hrtime.bigint() - start) / 1e6;
}

/** Runs `op(host, name)` once through a counting proxy, then `runs` times directly (timed). */
async function measure(
  registryHost: string,
  proxy: FaultProxy,
  op: (host: string, name: string) => Promise<unknown>,
  name: string,
): Promise<Measure> {
  const before = { requests: proxy.stats.requests, bytes: proxy.stats.bytesFromClients };
  await op(proxy.host, `${name}-counted`);
  const requests = proxy.stats.requests - before.requests;
  const bytesSent = proxy.stats.bytesFromClients - before.bytes;
  const times: number[] = [];
  for (let i = 0; i < runs; i++) times.push(await timed(() => op(registryHost, `${name}-${i}`)));
  return { ms: median(times), requests, bytesSent };
}

function row(label: string, ours: Measure, skopeo: Measure): string {
  const cell = (m: Measure) =>
    `${m.ms.toFixed(0).padStart(6)} ms ${String(m.requests).padStart(4)} req ${(m.bytesSent / 1e6).toFixed(2).padStart(7)} MB`;
  return `${label.padEnd(24)} flux-oci ${cell(ours)} | skopeo ${cell(skopeo)} | time ×${(ours.ms / skopeo.ms).toFixed(2)} requests ×${(ours.requests / skopeo.requests).toFixed(2)}`;
}

async function main(): Promise<void> {
  const registry = await startRegistry();
  const proxy = await startFaultProxy({ target: registry.host });
  const work = mkdtempSync(join(tmpdir(), 'flux-oci-bench-'));
  try {
    const { stdout: skopeoVersion } = await run('skopeo', ['--version']);
    console.log(
      `node ${process.version}, ${skopeoVersion.trim()}, docker-registry on ${registry.host}, median of ${runs} runs\n`,
    );
    for (const [label, tree] of [
      ['1 MB manifests tree', manifestsTree(1_000_000, 2_500)],
      ['50 MB tree', manifestsTree(50_000_000, 200_000)],
    ] as const) {
      const root = writeTree(tree);
      let artifact: Artifact;
      const buildMs = await timed(async () => {
        artifact = buildArtifact({
          path: root,
          source: 'bench',
          revision: 'bench',
          reproducible: true,
        });
      });
      rmSync(root, { recursive: true, force: true });
      const layout = join(work, label.replace(/\W+/g, '-'));
      writeOciLayout(layout, artifact!);
      const layerMb = (artifact!.layers[0].bytes.length / 1e6).toFixed(2);
      console.log(`${label}: layer ${layerMb} MB (gzip), build ${buildMs.toFixed(0)} ms`);

      const slug = label.startsWith('1') ? 'small' : 'large';
      const ourPush = await measure(
        registry.host,
        proxy,
        (host, name) =>
          pushArtifact(`oci://${host}/bench/ours-${slug}-${name}:v1`, artifact, clientOptions),
        'push',
      );
      const skopeoPush = await measure(
        registry.host,
        proxy,
        (host, name) =>
          run('skopeo', [
            'copy',
            '--quiet',
            '--dest-tls-verify=false',
            `oci:${layout}`,
            `docker://${host}/bench/skopeo-${slug}-${name}:v1`,
          ]),
        'push',
      );
      console.log(row('  push (fresh repo)', ourPush, skopeoPush));

      const ourRepush = await measure(
        registry.host,
        proxy,
        (host, name) =>
          pushArtifact(
            `oci://${host}/bench/ours-${slug}-${name.replace('repush', 'push')}:v1`,
            artifact,
            clientOptions,
          ),
        'repush',
      );
      const skopeoRepush = await measure(
        registry.host,
        proxy,
        (host, name) =>
          run('skopeo', [
            'copy',
            '--quiet',
            '--dest-tls-verify=false',
            `oci:${layout}`,
            `docker://${host}/bench/skopeo-${slug}-${name.replace('repush', 'push')}:v1`,
          ]),
        'repush',
      );
      console.log(row('  re-push (unchanged)', ourRepush, skopeoRepush));

      const ourPull = await measure(
        registry.host,
        proxy,
        (host) => pullArtifact(`oci://${host}/bench/ours-${slug}-push-0:v1`, clientOptions),
        'pull',
      );
      const pulled = await pullArtifact(
        `oci://${registry.host}/bench/ours-${slug}-push-0:v1`,
        clientOptions,
      );
      const out = mkdtempSync(join(work, 'pull-'));
      const extractMs = await timed(async () =>
        extractLayer(pulled.layer.bytes, out, { maxSize: 200 * 1024 * 1024 }),
      );
      rmSync(out, { recursive: true, force: true });
      const skopeoPull = await measure(
        registry.host,
        proxy,
        async (host) => {
          const out = mkdtempSync(join(work, 'skopeo-pull-'));
          await skopeo([
            'copy',
            '--quiet',
            '--src-tls-verify=false',
            `docker://${host}/bench/ours-${slug}-push-0:v1`,
            `dir:${out}`,
          ]);
          rmSync(out, { recursive: true, force: true });
        },
        'pull',
      );
      // skopeo stores the blobs; flux-oci's pull verifies them, its extraction is timed apart.
      console.log(row('  pull (download+verify)', ourPull, skopeoPull));
      console.log(`  extract (flux-oci only)  ${extractMs.toFixed(0)} ms`);

      console.log();
    }
    console.log(
      'flux push artifact (spec §3, anonymous, fresh repo): GET /v2/ + HEAD tag + 2 × (HEAD + POST + PATCH + PUT) + PUT manifest = 11 requests',
    );
  } finally {
    await proxy.stop();
    await registry.stop();
    rmSync(work, { recursive: true, force: true });
  }
}

await main();
