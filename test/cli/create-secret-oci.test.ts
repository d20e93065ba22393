import { runCli, type CliOptions, type CliResult } from '../support/cli.js';

/** Runs `flux-oci create secret oci <args>`; OCI_PASSWORD is unset unless `options.env` sets it. */
function run(args: string[], options: CliOptions = {}): Promise<CliResult> {
  return runCli(['create', 'secret', 'oci', ...args], {
    ...options,
    env: { OCI_PASSWORD: undefined, ...options.env },
  });
}

const EXPECTED = `---
apiVersion: v1
kind: Secret
metadata:
  name: ghcr
  namespace: my-namespace
stringData:
  .dockerconfigjson: |-
    {
      "auths": {
        "ghcr.io": {
          "username": "stefanprodan",
          "password": "password",
          "auth": "c3RlZmFucHJvZGFuOnBhc3N3b3Jk"
        }
      }
    }
type: kubernetes.io/dockerconfigjson

`;

describe('flux-oci create secret oci', () => {
  test('--export prints Flux output; password from argv', async () => {
    const result = await run([
      'ghcr',
      '--url=ghcr.io',
      '--username=stefanprodan',
      '--password=password',
      '--namespace=my-namespace',
      '--export',
    ]);
    expect(result.code).toBe(0);
    expect(result.stdout).toBe(EXPECTED);
  });

  test('password from standard input, never needed in argv', async () => {
    const result = await run(
      [
        'ghcr',
        '--url',
        'ghcr.io',
        '-u',
        'stefanprodan',
        '--password-stdin',
        '-n',
        'my-namespace',
        '--export',
      ],
      { stdin: 'password\n' },
    );
    expect(result.stdout).toBe(EXPECTED);
  });

  test('password from OCI_PASSWORD', async () => {
    const result = await run(
      ['ghcr', '--url', 'ghcr.io', '-u', 'stefanprodan', '-n', 'my-namespace', '--export'],
      { env: { OCI_PASSWORD: 'password' } },
    );
    expect(result.stdout).toBe(EXPECTED);
  });

  test('--label, repeated or comma-separated, sets labels on the Secret as Flux does', async () => {
    const result = await run([
      'ghcr',
      '--url=ghcr.io',
      '--username=stefanprodan',
      '--password=password',
      '--namespace=my-namespace',
      '--label=team=platform,tier=',
      '--label',
      'app.kubernetes.io/part-of=fleet',
      '--export',
    ]);
    expect(result.code).toBe(0);
    expect(result.stdout).toBe(
      EXPECTED.replace(
        '  name: ghcr\n',
        '  labels:\n    app.kubernetes.io/part-of: fleet\n    team: platform\n    tier: ""\n  name: ghcr\n',
      ),
    );
  });

  test.each([
    [['s', '--username', 'u', '--export'], /--url is required/],
    [['s', '--url', 'oci://ghcr.io', '--username', 'u', '--export'], /without a scheme/],
    [['s', '--url', 'ghcr.io', '--export'], /--username is required/],
    [
      ['s', '--url', 'ghcr.io', '--username', 'u', '--export'],
      /no registry password: pipe it in with --password-stdin or set OCI_PASSWORD/,
    ],
    [
      ['Bad_Name', '--url', 'ghcr.io', '--username', 'u', '--password', 'p', '--export'],
      /secret name "Bad_Name" is not a valid Kubernetes name/,
    ],
    [
      [
        's',
        '--url',
        'ghcr.io',
        '--username',
        'u',
        '--password',
        'p',
        '--label',
        'a=b=c',
        '--export',
      ],
      /invalid label format 'a=b=c', must be key=value/,
    ],
    [
      ['s', '--url', 'ghcr.io', '--username', 'u', '--password', 'p', '--label', 'a', '--export'],
      /invalid label format 'a', must be key=value/,
    ],
    [
      ['s', '--url', 'ghcr.io', '--username', 'u', '--password', 'p', '--label=-a=b', '--export'],
      /label "-a" is not a valid Kubernetes key/,
    ],
    [
      ['s', '--url', 'ghcr.io', '--username', 'u', '--password', 'p', '--label=a=b c', '--export'],
      /invalid label value 'b c' of a: use at most 63 letters/,
    ],
    // Without --export the Secret goes to the cluster, which must be reachable.
    [
      [
        's',
        '--url',
        'ghcr.io',
        '--username',
        'u',
        '--password',
        'p',
        '--kubeconfig=/nonexistent/kc',
      ],
      /^✗ kubeconfig \/nonexistent\/kc does not exist: pass the path of an existing file\n$/,
    ],
  ])('%j is refused with a clear message', async (args, message) => {
    const result = await run(args);
    expect(result.code).not.toBe(0);
    expect(result.stdout).toBe('');
    expect(result.stderr).toMatch(message);
  });
});
