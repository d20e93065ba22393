// No silent downgrade (issue 9): after CI moved the components tag to a newer Flux with
// `flux-oci upgrade` (RFC story 4), a re-run of `bootstrap oci` with the older version is
// refused and leaves the tag alone; with --allow-downgrade it moves it back. Real registry
// (TLS, basic auth), API server and Flux controllers.
import { join } from 'node:path';
import { resolveArtifact } from '../../src/oci/index.js';
import { startRegistry, type TestRegistry } from '../support/registry.js';
import { startCluster, type Cluster } from './harness/cluster.js';
import { startFlux, type Flux } from './harness/flux.js';
import { tail } from './harness/process.js';
import { START_TIMEOUT, STOP_TIMEOUT, teardown } from './harness/teardown.js';
import { repoRoot } from './harness/tools.js';
import { runFluxOci, type CliResult } from './support/flux-oci-cli.js';

const user = { username: 'flux', password: 'e2e-Downgrade-p4ss' };
// The fixture bundle stands for every version: the version is what the header says.
const manifests = join(repoRoot, 'test/fixtures/flux-components');

describe('bootstrap oci does not move the components tag back to an older Flux', () => {
  let registry: TestRegistry;
  let cluster: Cluster;
  let flux: Flux | undefined;
  const abort = new AbortController();

  const url = () => `oci://${registry.host}/flux/components:latest`;
  const registryFlags = () => [
    `--url=${url()}`,
    `--username=${user.username}`,
    '--password-stdin',
    `--ca-file=${registry.caFile}`,
    `--manifests=${manifests}`,
  ];
  const bootstrap = (...extra: string[]): Promise<CliResult> =>
    runFluxOci(
      [
        'bootstrap',
        'oci',
        ...registryFlags(),
        '--components=source-controller,kustomize-controller',
        `--kubeconfig=${cluster.kubeconfigPath}`,
        // The source polls the tag often, so a moved tag is applied soon.
        '--interval=10s',
        '--timeout=3m',
        ...extra,
      ],
      { stdin: user.password, signal: abort.signal },
    );
  const tagDigest = async (): Promise<string | undefined> =>
    (
      await resolveArtifact(url(), {
        credentials: user,
        caFile: registry.caFile,
        useAuthFile: false,
      })
    )?.digest;
  const failed = (what: string, r: CliResult): Error =>
    new Error(
      `${what}: exit ${r.code}\n${r.stderr}` +
        (flux
          ? `\nsource-controller:\n${tail(flux.logs.sourceController)}\nkustomize-controller:\n${tail(flux.logs.kustomizeController)}`
          : ''),
    );

  beforeAll(async () => {
    registry = await startRegistry({ tls: true, htpasswd: user });
    cluster = await startCluster();
  }, START_TIMEOUT);

  afterAll(async () => {
    abort.abort();
    await teardown({ flux, cluster, registry });
  }, STOP_TIMEOUT);

  test('refused with both versions and the fix, exit 1, tag unchanged; moved with --allow-downgrade', async () => {
    const first = bootstrap('--version=v2.8.0');
    // The controllers start once the bootstrap has made their kinds served, as their
    // Deployments would.
    flux = await startFlux(cluster, { installCrds: false, crdTimeoutMs: 180_000 });
    const bootstrapped = await first;
    if (bootstrapped.code !== 0) throw failed('bootstrap v2.8.0', bootstrapped);
    const old = await tagDigest();

    // CI, without cluster access (RFC story 4).
    const upgraded = await runFluxOci(
      ['upgrade', ...registryFlags(), '--version=v2.9.5', '-o', 'json'],
      { stdin: user.password, env: { KUBECONFIG: '/nonexistent' } },
    );
    if (upgraded.code !== 0) throw failed('upgrade', upgraded);
    const newer = (JSON.parse(upgraded.stdout) as { digest: string }).digest;
    expect(newer).not.toBe(old);
    expect(await tagDigest()).toBe(newer);

    const refused = await bootstrap('--version=v2.8.0');
    expect(refused.code).toBe(1);
    expect(refused.stderr).toContain(
      `✗ ${url()} points at Flux v2.9.5 (${newer}), and this bootstrap would move it back to Flux v2.8.0: ` +
        'a downgrade can leave custom resources in versions the older controllers do not serve; ' +
        'set --version (version) to v2.9.5 or newer, or pass --allow-downgrade (allowDowngrade) to downgrade\n',
    );
    expect(refused.stderr).not.toMatch(/\n\s+at /); // no stack trace
    expect(await tagDigest()).toBe(newer);

    // The version the tag is at is no downgrade.
    const same = await bootstrap('--version=v2.9.5');
    if (same.code !== 0) throw failed('bootstrap v2.9.5', same);

    const allowed = await bootstrap('--version=v2.8.0', '--allow-downgrade');
    if (allowed.code !== 0) throw failed('bootstrap --allow-downgrade', allowed);
    expect(await tagDigest()).toBe(old);
  }, 600_000);
});
