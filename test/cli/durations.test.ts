import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { runCli } from '../support/cli.js';

// Every --timeout and interval flag is checked as Flux's API checks durations, and in range
// for the clock that keeps it, before any registry or cluster is contacted. Port 9 on
// loopback has nothing listening: a command that got that far would fail otherwise.
const ref = 'oci://127.0.0.1:9/flux/app:v1';
const tooLong =
  'longer than 596h31m23s (24 days), the longest wait a Node.js timer can do; give a shorter one';

describe('durations on the command line', () => {
  let dir: string;
  beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), 'flux-oci-durations-'));
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  const commands: [string, () => string[]][] = [
    ['pull artifact', () => ['pull', 'artifact', ref, '-o', dir]],
    [
      'push artifact',
      () => ['push', 'artifact', ref, `--path=${dir}`, '--source=s', '--revision=r'],
    ],
    ['tag artifact', () => ['tag', 'artifact', ref, '--tag=latest']],
    ['list artifacts', () => ['list', 'artifacts', 'oci://127.0.0.1:9/flux/app']],
    ['diff artifact', () => ['diff', 'artifact', ref, `--path=${dir}`]],
    ['upgrade', () => ['upgrade', `--url=${ref}`]],
    ['bootstrap oci', () => ['bootstrap', 'oci', `--url=${ref}`, '--kubeconfig=/nonexistent']],
    ['uninstall', () => ['uninstall', '--silent', '--kubeconfig=/nonexistent']],
  ];

  test.each(commands)(
    '%s: a timeout a Node.js timer cannot wait is refused naming the flag',
    async (_name, args) => {
      const result = await runCli([...args(), '--timeout=9999999h']);
      expect(result.code).not.toBe(0);
      expect(result.stderr).toMatch(/^✗ invalid --timeout( \(timeout\))? '9999999h': /);
      expect(result.stderr).toContain(tooLong);
      expect(result.stderr.trim().split('\n')).toHaveLength(1);
    },
  );

  test.each(commands)('%s: 600h, past the timer limit, is refused', async (_name, args) => {
    const result = await runCli([...args(), '--timeout=600h']);
    expect(result.code).not.toBe(0);
    expect(result.stderr).toMatch(/✗ invalid --timeout( \(timeout\))? '600h': longer than/);
  });

  test.each([
    ['--interval=0s', "invalid --interval (interval) '0s': it must be longer than 0"],
    [
      '--retry-interval=99999999999999h',
      "invalid --retry-interval (retryInterval) '99999999999999h': longer than 2562047h",
    ],
    [
      '--kustomization-interval=1d',
      "invalid --kustomization-interval (kustomizationInterval) '1d': not a duration",
    ],
  ])('bootstrap oci %s is refused naming the flag', async (flag, message) => {
    const result = await runCli(['bootstrap', 'oci', `--url=${ref}`, flag, '--kubeconfig=/none']);
    expect(result.code).toBe(1);
    expect(result.stderr).toContain(`✗ ${message}`);
  });
});
