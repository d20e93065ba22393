// Finds (or builds, on a cold machine) a Go tool from tools/<name> through scripts/go-tool.sh.
import { execFile } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';

const run = promisify(execFile);

/** The repository root, from this file's location (test/e2e/harness/). */
export const repoRoot = fileURLToPath(new URL('../../../', import.meta.url));

/** Absolute path of the built binary; a cold build can take minutes and says so on stderr. */
export async function goTool(name: string): Promise<string> {
  const { stdout, stderr } = await run('bash', ['scripts/go-tool.sh', name], {
    cwd: repoRoot,
    maxBuffer: 64 * 1024 * 1024,
  });
  if (stderr) process.stderr.write(stderr);
  return stdout.trim();
}
