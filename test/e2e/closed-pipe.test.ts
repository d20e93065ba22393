// The real flux-oci, its stdout closed by the reader before it writes (`flux-oci ... | head`).
import { spawn } from 'node:child_process';
import { join } from 'node:path';
import { repoRoot } from './harness/tools.js';

function runWithClosedStdout(
  args: readonly string[],
): Promise<{ code: number | null; stderr: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [join(repoRoot, 'bin', 'flux-oci.js'), ...args], {
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    child.stdout.destroy(); // the reader is gone before the first write: every write is EPIPE
    let stderr = '';
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    child.on('error', reject);
    child.on('close', (code) => resolve({ code, stderr }));
  });
}

describe('flux-oci with its stdout closed by the reader', () => {
  test.each([[['--help']], [['push', 'artifact', '--help']], [['--version']]])(
    '%j stops quietly: no stack trace, exit code 0',
    async (args) => {
      const { code, stderr } = await runWithClosedStdout(args);
      expect(stderr).toBe('');
      expect(code).toBe(0);
    },
  );
});
