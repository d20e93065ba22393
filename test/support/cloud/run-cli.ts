// Runs the built flux-oci in a child process with exactly the environment given (the cloud
// login tests need the test-only preload, the test CA and one cloud's identity in it).
import { spawn } from 'node:child_process';
import { join, resolve } from 'node:path';

const BIN = join(resolve(import.meta.dirname, '..', '..', '..'), 'bin', 'flux-oci.js');

export interface ChildResult {
  readonly code: number;
  readonly stdout: string;
  readonly stderr: string;
}

/** `node <script> <args>` with `env` as its whole environment; `script` defaults to flux-oci. */
export function runNode(
  args: readonly string[],
  env: NodeJS.ProcessEnv,
  script: string = BIN,
): Promise<ChildResult> {
  return new Promise((done, fail) => {
    const child = spawn(process.execPath, [script, ...args], {
      env,
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    child.on('error', fail);
    child.on('close', (code) => done({ code: code ?? -1, stdout, stderr }));
  });
}
