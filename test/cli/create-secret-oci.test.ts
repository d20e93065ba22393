import { jest } from '@jest/globals';
import { Readable } from 'node:stream';
import { main } from '../../src/cli/main.js';

async function run(
  args: string[],
  stdin?: string,
): Promise<{ code: number; stdout: string; stderr: string }> {
  let stdout = '';
  let stderr = '';
  const out = jest
    .spyOn(process.stdout, 'write')
    .mockImplementation((s) => ((stdout += String(s)), true));
  const err = jest
    .spyOn(process.stderr, 'write')
    .mockImplementation((s) => ((stderr += String(s)), true));
  const realStdin = Object.getOwnPropertyDescriptor(process, 'stdin')!;
  if (stdin !== undefined)
    Object.defineProperty(process, 'stdin', { value: Readable.from([stdin]), configurable: true });
  try {
    const code = await main(['node', 'flux-oci', 'create', 'secret', 'oci', ...args]);
    return { code, stdout, stderr };
  } finally {
    Object.defineProperty(process, 'stdin', realStdin);
    out.mockRestore();
    err.mockRestore();
  }
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
  afterEach(() => delete process.env.OCI_PASSWORD);

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
      'password\n',
    );
    expect(result.stdout).toBe(EXPECTED);
  });

  test('password from OCI_PASSWORD', async () => {
    process.env.OCI_PASSWORD = 'password';
    const result = await run([
      'ghcr',
      '--url',
      'ghcr.io',
      '-u',
      'stefanprodan',
      '-n',
      'my-namespace',
      '--export',
    ]);
    expect(result.stdout).toBe(EXPECTED);
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
      ['s', '--url', 'ghcr.io', '--username', 'u', '--password', 'p'],
      /does not write to the cluster yet: add --export/,
    ],
  ])('%j is refused with a clear message', async (args, message) => {
    const result = await run(args);
    expect(result.code).not.toBe(0);
    expect(result.stdout).toBe('');
    expect(result.stderr).toMatch(message);
  });
});
