// No silent downgrade through the construct (issue 9): after CI moved the components tag to
// a newer Flux (`flux-oci upgrade`, RFC story 4), a deploy whose components changed to an
// older version fails its install step with both versions and the fix, leaves the tag
// alone, and the plan stays valid: the next deploy with allowDowngrade goes through.
// OpenTofu, the story 1 example app, real registries, API server and Flux controllers.
import { prepareTerraform, type TerraformSetup } from './harness/terraform.js';
import type { CdktfResult } from './support/cdktf-cli.js';
import { deployedStory1 } from './support/deployed-story1.js';
import { runFluxOci } from './support/flux-oci-cli.js';
import { STORY1_MANIFESTS, componentsUrl } from './support/story1.js';

const tf: TerraformSetup = await prepareTerraform();

describe('cdktf deploy refuses to move the components tag back to an older Flux', () => {
  const user = { username: 'flux', password: 'cdktf-Downgrade-p4ss' };
  const fleetUser = { username: 'fleet-reader', password: 'cdktf-Fleet-p4ss' };
  const p = deployedStory1({
    app: 'story1-basic-auth.ts',
    binary: tf.tofuPath,
    tf,
    user,
    fleetUser,
    workPrefix: 'flux-oci-cdktf-downgrade-',
    skipProviderLock: false,
  });

  const url = () => componentsUrl(p.registries, 'production');
  const deploy = (version: string, extra: NodeJS.ProcessEnv = {}): Promise<CdktfResult> =>
    p.deploy([], { FLUX_OCI_VERSION: version, ...extra });
  const failed = (what: string, r: CdktfResult): Error =>
    new Error(`${what}: exit ${r.code}\n${r.output}${p.logs()}`);

  test('refused with both versions and the fix, the tag unchanged; allowDowngrade goes through', async () => {
    await p.deployFresh([], { FLUX_OCI_VERSION: 'v2.8.0' });

    // CI, without cluster access (RFC story 4).
    const upgraded = await runFluxOci(
      [
        'upgrade',
        `--url=${url()}`,
        `--username=${user.username}`,
        '--password-stdin',
        `--ca-file=${p.registries.caFile}`,
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
    expect(await p.tagDigest()).toBe(newer);

    const allowed = await deploy('v2.8.1', { FLUX_OCI_ALLOW_DOWNGRADE: 'true' });
    if (allowed.code !== 0) throw failed('deploy with allowDowngrade', allowed);
    const moved = await p.tagDigest();
    expect(moved).not.toBe(newer);
  }, 1_500_000);
});
