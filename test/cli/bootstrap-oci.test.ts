import { runCli } from '../support/cli.js';

// Mistakes the command reports before it touches a registry or a cluster.
describe('flux-oci bootstrap oci, bad input', () => {
  const url = '--url=oci://registry.example.com/flux/components:latest';

  test('without --url it says which flag and the form it takes', async () => {
    const result = await runCli(['bootstrap', 'oci', '--kubeconfig=/nonexistent']);
    expect(result.code).toBe(1);
    expect(result.stderr).toBe(
      "✗ --url (url) is required: give the artifact's address as oci://<registry>/<repository>:<tag>\n",
    );
  });

  test('--phase=sync needs the digest the install step pushed', async () => {
    const result = await runCli(['bootstrap', 'oci', url, '--phase=sync']);
    expect(result.code).toBe(1);
    expect(result.stderr).toMatch(
      /✗ --phase=sync needs --components-digest=sha256:<64 hex digits>/,
    );
  });

  test('an unknown phase is refused with the choices', async () => {
    const result = await runCli(['bootstrap', 'oci', url, '--phase=later']);
    expect(result.code).not.toBe(0);
    expect(result.stderr).toMatch(/Allowed choices are all, install, secrets, sync/);
  });

  test('--password-env naming an unset variable says so, without a value', async () => {
    const result = await runCli(
      ['bootstrap', 'oci', url, '--username=flux', '--password-env=FLUX_OCI_TEST_UNSET'],
      { env: { FLUX_OCI_TEST_UNSET: undefined } },
    );
    expect(result.code).toBe(1);
    expect(result.stderr).toBe(
      '✗ the environment variable FLUX_OCI_TEST_UNSET is not set: set it to the registry password\n',
    );
  });

  test('--password works but warns that arguments are visible, never echoing it', async () => {
    const result = await runCli([
      'bootstrap',
      'oci',
      url,
      '--username=flux',
      '--password=visible-s3cret',
      '--kubeconfig=/nonexistent/kubeconfig',
    ]);
    expect(result.code).toBe(1);
    expect(result.stderr).toMatch(/warning: --password is visible to other users/);
    expect(result.stderr).toMatch(/✗ kubeconfig \/nonexistent\/kubeconfig does not exist/);
    expect(result.stderr).not.toContain('visible-s3cret');
  });
});
