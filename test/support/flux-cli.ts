// Runs the real Flux CLI (tools/flux, found by the install-parity oracle's lookup) as a child
// process and keeps what it printed and its exit code, for tests that compare both CLIs.
import { spawn } from 'node:child_process';
import { fluxBinary } from '../flux/flux-cli-oracle.js';

export { FLUX_CLI_BUILD_TIMEOUT_MS, fluxBinary } from '../flux/flux-cli-oracle.js';

/** What one `flux` run printed and returned. */
export interface FluxResult {
  readonly code: number;
  readonly stdout: string;
  readonly stderr: string;
}

/**
 * Runs `flux <args>` with `home` as HOME (no docker config or kubeconfig of the machine) and
 * only PATH from this process's environment, plus `env` (e.g. TZ); never throws for a non-zero
 * exit.
 */
export function runFluxCli(
  args: readonly string[],
  home: string,
  env: Readonly<Record<string, string>> = {},
): Promise<FluxResult> {
  return new Promise((resolve, reject) => {
    const child = spawn(fluxBinary(), args, {
      stdio: ['ignore', 'pipe', 'pipe'],
      env: { PATH: process.env.PATH, HOME: home, KUBECONFIG: `${home}/no-kubeconfig`, ...env },
    });
    const out: Buffer[] = [];
    const err: Buffer[] = [];
    child.stdout.on('data', (b: Buffer) => out.push(b));
    child.stderr.on('data', (b: Buffer) => err.push(b));
    child.on('error', reject);
    child.on('close', (code) =>
      resolve({
        code: code ?? -1,
        stdout: Buffer.concat(out).toString('utf8'),
        stderr: Buffer.concat(err).toString('utf8'),
      }),
    );
  });
}
