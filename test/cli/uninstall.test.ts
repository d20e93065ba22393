import { runCli } from '../support/cli.js';

// The construct's destroy-time step names the cluster connection through its environment.
describe('flux-oci uninstall, cluster connection', () => {
  test('--kubeconfig-env and --context-env take the values from the environment, as they are', async () => {
    const path = `/nonexistent/it's "a" $(touch x); b\nc`;
    const result = await runCli(
      ['uninstall', '--silent', '--kubeconfig-env=TEST_KC', '--context-env=TEST_CTX'],
      { env: { TEST_KC: path, TEST_CTX: 'ctx' } },
    );
    expect(result.code).toBe(1);
    expect(result.stderr).toBe(
      `✗ kubeconfig ${path} does not exist: pass the path of an existing file\n`,
    );
  });

  test('--kubeconfig-env naming an unset variable says so', async () => {
    const result = await runCli(['uninstall', '--silent', '--kubeconfig-env=TEST_UNSET_KC'], {
      env: { TEST_UNSET_KC: undefined },
    });
    expect(result.code).toBe(1);
    expect(result.stderr).toBe(
      '✗ the environment variable TEST_UNSET_KC named by --kubeconfig-env is not set: set it, or name another with --kubeconfig-env\n',
    );
  });
});

// Flux's flags: -n for --namespace, --timeout for the whole uninstall.
describe('flux-oci uninstall, flags', () => {
  test('-n is --namespace', async () => {
    const result = await runCli([
      'uninstall',
      '-n',
      'other',
      '--silent',
      '--kubeconfig=/nonexistent/kubeconfig',
    ]);
    expect(result.stderr).toBe(
      '✗ kubeconfig /nonexistent/kubeconfig does not exist: pass the path of an existing file\n',
    );
    expect(result.code).toBe(1);
  });

  test.each([
    [
      'bogus',
      "invalid --timeout 'bogus': not a duration; write it like 30s, 5m or 1h30m (units ms, s, m, h)",
    ],
    ['0s', "invalid --timeout '0s': it must be longer than 0, e.g. 30s, 5m or 1h"],
  ])('--timeout %s is refused before the cluster is reached', async (value, message) => {
    const result = await runCli(['uninstall', '--silent', `--timeout=${value}`], {
      env: { KUBECONFIG: '/nonexistent/kubeconfig' },
    });
    expect(result.stderr).toBe(`✗ ${message}\n`);
    expect(result.code).toBe(1);
  });
});
