// Runs the real `cdktf` CLI on the example app in a work directory of its own, with the
// harness's OpenTofu (or Terraform) and its offline provider mirror.
import { spawn } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { repoRoot } from '../harness/tools.js';

export interface CdktfResult {
  readonly code: number;
  /** stdout and stderr together, as a pipeline log would hold them. */
  readonly output: string;
}

/** Writes a cdktf.json in `workDir` that runs `app` (a file under stacks/). */
export function writeCdktfProject(workDir: string, app: string): void {
  writeFileSync(
    join(workDir, 'cdktf.json'),
    JSON.stringify({
      language: 'typescript',
      app: `${join(repoRoot, 'node_modules', '.bin', 'tsx')} ${join(repoRoot, 'stacks', app)}`,
      sendCrashReports: 'false',
      terraformProviders: [],
    }),
  );
}

/** `cdktf <args>` in `workDir`; never interactive. */
export function runCdktf(
  workDir: string,
  args: readonly string[],
  env: NodeJS.ProcessEnv,
): Promise<CdktfResult> {
  return new Promise((resolve, reject) => {
    const child = spawn(join(repoRoot, 'node_modules', '.bin', 'cdktf'), args, {
      cwd: workDir,
      env: { ...process.env, CI: 'true', FORCE_COLOR: '0', CHECKPOINT_DISABLE: '1', ...env },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let output = '';
    child.stdout.on('data', (d: Buffer) => (output += d.toString()));
    child.stderr.on('data', (d: Buffer) => (output += d.toString()));
    child.on('error', reject);
    child.on('close', (code) => resolve({ code: code ?? -1, output }));
  });
}
