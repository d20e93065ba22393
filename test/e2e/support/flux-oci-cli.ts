// Runs the real `flux-oci` command (bin/flux-oci.js over dist/) as a user would.
import { spawn } from 'node:child_process';
import { join } from 'node:path';
import { repoRoot } from '../harness/tools.js';

export interface CliResult {
  readonly code: number;
  readonly stdout: string;
  readonly stderr: string;
}

/** Runs `flux-oci <args>`; `stdin` is written to it (passwords go there, never in args). */
export function runFluxOci(
  args: readonly string[],
  options: { stdin?: string; env?: NodeJS.ProcessEnv; signal?: AbortSignal } = {},
): Promise<CliResult> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [join(repoRoot, 'bin', 'flux-oci.js'), ...args], {
      env: { ...process.env, ...options.env },
      stdio: ['pipe', 'pipe', 'pipe'],
      signal: options.signal,
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    child.on('error', (err) => (err.name === 'AbortError' ? undefined : reject(err)));
    child.on('close', (code) => resolve({ code: code ?? -1, stdout, stderr }));
    child.stdin.end(options.stdin ?? '');
  });
}
