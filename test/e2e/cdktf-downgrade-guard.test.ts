// No silent downgrade through the construct (issue 9): after CI moved the components tag to
// a newer Flux (`flux-oci upgrade`, RFC story 4), a deploy whose components changed to an
// older version fails its install step with both versions and the fix, leaves the tag
// alone, and the plan stays valid: the next deploy with allowDowngrade goes through.
// OpenTofu, the story 1 example app, real registries, API server and Flux controllers.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { resolveArtifact } from '../../src/oci/registry/resolve.js';
import { startCluster, type Cluster } from './harness/cluster.js';
import { startFlux, type Flux } from './harness/flux.js';
import { tail } from './harness/process.js';
import { START_TIMEOUT, STOP_TIMEOUT, teardown } from './harness/teardown.js';
import { prepareTerraform, type TerraformSetup } from './harness/terraform.js';
import { runCdktf, writeCdktfProject, type CdktfResult } from './support/cdktf-cli.js';
import { runFluxOci } from './support/flux-oci-cli.js';
import {
  STORY1_MANIFESTS,
  componentsUrl,
  startStory1Registries,
  story1AppEnv,
  type Story1Registries,
} from './support/story1.js';

const tf: TerraformSetup = await prepareTerraform();

describe('cdktf deploy refuses to move the components tag back to an older Flux', () => {
  const user = { username: 'flux', password: 'cdktf-Downgrade-p4ss' };
  const fleetUser = { username: 'fleet-reader', password: 'cdktf-Fleet-p4ss' };
  let registries: Story1Registries;
  let cluster: Cluster;
  let flux: Flux | undefined;
  let work: string;

  const url = () => componentsUrl(registries, 'production');
  const deploy = (version: string, extra: NodeJS.ProcessEnv = {}): Promise<CdktfResult> =>
    runCdktf(work, ['deploy', '--auto-approve'], {
      ...story1AppEnv(registries, cluster, tf.tofuPath, tf.env),
      FLUX_OCI_VERSION: version,
      ...extra,
    });
  const tagDigest = async () =>
    (await resolveArtifact(url(), { credentials: user, caFile: registries.caFile }))?.digest;
  const failed = (what: string, r: CdktfResult): Error =>
    new Error(
      `${what}: exit ${r.code}\n${r.output}` +
        (flux
          ? `\nsource-controller:\n${tail(flux.logs.sourceController)}\nkustomize-controller:\n${tail(flux.logs.kustomizeController)}`
          : ''),
    );

  beforeAll(async () => {
    registries = await startStory1Registries(user, fleetUser);
    cluster = await startCluster();
    work = mkdtempSync(join(tmpdir(), 'flux-oci-cdktf-downgrade-'));
    writeCdktfProject(work, 'story1-basic-auth.ts');
  }, START_TIMEOUT);

  afterAll(async () => {
    await teardown({
      flux,
      cluster,
      registries,
      work: () => (work ? rmSync(work, { recursive: true, force: true }) : undefined),
    });
  }, STOP_TIMEOUT);

  test('refused with both versions and the fix, the tag unchanged; allowDowngrade goes through', async () => {
    const first = deploy('v2.8.0');
    // The controllers start once the bootstrap has made their kinds served.
    flux = await startFlux(cluster, { installCrds: false, crdTimeoutMs: 600_000 });
    const bootstrapped = await first;
    if (bootstrapped.code !== 0) throw failed('deploy v2.8.0', bootstrapped);

    // CI, without cluster access (RFC story 4).
    const upgraded = await runFluxOci(
      [
        'upgrade',
        `--url=${url()}`,
        `--username=${user.username}`,
        '--password-stdin',
        `--ca-file=${registries.caFile}`,
        `--manifests=${STORY1_MANIFESTS}`,
        '--version=v2.9.5',
        '-o',
        'json',
      ],
      { stdin: user.password, env: { KUBECONFIG: '/nonexistent' } },
    );
    if (upgraded.code !== 0) throw new Error(`upgrade: exit ${upgraded.code}\n${upgraded.stderr}`);
    const newer = (JSON.parse(upgraded.stdout) as { digest: string }).digest;

    // The components changed (another version), to one older than the tag's.
    const refused = await deploy('v2.8.1');
    expect(refused.code).not.toBe(0);
    expect(refused.output).toContain(
      'points at Flux v2.9.5 (' + newer + '), and this bootstrap would move it back to Flux v2.8.1',
    );
    expect(refused.output).toContain(
      'set --version (version) to v2.9.5 or newer, or pass --allow-downgrade (allowDowngrade) to downgrade',
    );
    expect(await tagDigest()).toBe(newer);

    const allowed = await deploy('v2.8.1', { FLUX_OCI_ALLOW_DOWNGRADE: 'true' });
    if (allowed.code !== 0) throw failed('deploy with allowDowngrade', allowed);
    const moved = await tagDigest();
    expect(moved).not.toBe(newer);
  }, 1_500_000);
});
