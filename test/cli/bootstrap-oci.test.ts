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
    expect(result.stderr).toMatch(/Allowed choices are all, install, pre-apply, secrets, sync/);
  });

  test('--password-env naming an unset variable says so, without a value', async () => {
    const result = await runCli(
      ['bootstrap', 'oci', url, '--username=flux', '--password-env=FLUX_OCI_TEST_UNSET'],
      { env: { FLUX_OCI_TEST_UNSET: undefined } },
    );
    expect(result.code).toBe(1);
    expect(result.stderr).toBe(
      '✗ the environment variable FLUX_OCI_TEST_UNSET named by --password-env is not set: set it, or name another with --password-env\n',
    );
  });

  test('--kubeconfig-env and --context-env take the values from the environment, as they are', async () => {
    const path = `/nonexistent/it's "a" $(touch x); b\nc`;
    const result = await runCli(
      ['bootstrap', 'oci', url, '--kubeconfig-env=TEST_KC', '--context-env=TEST_CTX'],
      { env: { TEST_KC: path, TEST_CTX: 'ctx; rm -rf /' } },
    );
    expect(result.code).toBe(1);
    expect(result.stderr).toBe(
      `✗ kubeconfig ${path} does not exist: pass the path of an existing file\n`,
    );
  });

  test("a user name with ':' is refused: Basic auth could not carry it", async () => {
    const result = await runCli(['bootstrap', 'oci', url, '--username=flux:admin'], {
      env: { OCI_PASSWORD: 'x' },
    });
    expect(result.code).toBe(1);
    expect(result.stderr).toBe(
      "✗ --username (username) 'flux:admin' contains ':', which HTTP Basic auth's user-id cannot hold " +
        "(it separates the user from the password): give the registry's user name without ':'\n",
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

  test('--registry-creds works but warns that the password is in the process list, never echoing it', async () => {
    const args = [
      'bootstrap',
      'oci',
      url,
      '--image-pull-secret=flux-pull',
      '--kubeconfig=/nonexistent/kubeconfig',
    ];
    const result = await runCli([...args, '--registry-creds=puller:visible-s3cret']);
    expect(result.code).toBe(1);
    expect(result.stderr).toBe(
      "warning: --registry-creds is visible to other users of this machine in the process list; prefer --registry-creds-env=NAME with 'user:password' in the environment variable NAME\n" +
        '✗ kubeconfig /nonexistent/kubeconfig does not exist: pass the path of an existing file\n',
    );
    // From the environment: nothing to warn about.
    const fromEnv = await runCli([...args, '--registry-creds-env=PULL_CREDS'], {
      env: { PULL_CREDS: 'puller:env-s3cret' },
    });
    expect(fromEnv.stderr).toBe(
      '✗ kubeconfig /nonexistent/kubeconfig does not exist: pass the path of an existing file\n',
    );
  });
});
