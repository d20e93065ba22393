// The oracle: the real Flux CLI v2.9.5 (tools/flux, built from its Go module by
// scripts/go-tool.sh with the package's embedded manifests compiled in, cached).
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const ROOT = join(import.meta.dirname, '..', '..');
let binary: string | undefined;

/** A cold machine builds the CLI first (about 6 minutes on 2 cores); CI builds it beforehand. */
export const FLUX_CLI_BUILD_TIMEOUT_MS = 20 * 60_000;

/**
 * Path of the flux binary; builds it on first use. A failed build throws with go-tool.sh's
 * message, so a test that needs the oracle fails, never skips.
 */
export function fluxBinary(): string {
  binary ??= execFileSync(join(ROOT, 'scripts', 'go-tool.sh'), ['flux'], {
    encoding: 'utf8',
    stdio: ['ignore', 'pipe', 'inherit'],
  }).trim();
  return binary;
}

/** Runs `flux <args>` with an empty home and no cluster, and returns its standard output. */
export function runFlux(args: readonly string[]): string {
  const home = mkdtempSync(join(tmpdir(), 'flux-cli-home-'));
  try {
    return execFileSync(fluxBinary(), args, {
      encoding: 'utf8',
      stdio: ['ignore', 'pipe', 'pipe'],
      maxBuffer: 64 * 1024 * 1024,
      env: {
        PATH: process.env.PATH,
        HOME: home,
        KUBECONFIG: join(home, 'no-kubeconfig'),
      },
    });
  } finally {
    rmSync(home, { recursive: true, force: true });
  }
}
