// The oracle: the real cosign CLI v2.6.5 (tools/cosign, built from its Go module by
// scripts/go-tool.sh, cached). Offline: key-based signatures only, no transparency log.
import { execFile, execFileSync } from 'node:child_process';
import { join } from 'node:path';

const ROOT = join(import.meta.dirname, '..', '..');
let binary: string | undefined;

/** Path of the cosign binary; builds it on first use (about 2 minutes on 2 cores). */
export function cosignBinary(): string {
  binary ??= execFileSync(join(ROOT, 'scripts', 'go-tool.sh'), ['cosign'], {
    encoding: 'utf8',
    stdio: ['ignore', 'pipe', 'inherit'],
  }).trim();
  return binary;
}

export interface CosignRun {
  readonly code: number;
  readonly stdout: string;
  readonly stderr: string;
}

/**
 * Runs `cosign <args>` in `cwd` with only PATH, HOME and the given environment (no
 * credentials or TUF cache of the machine), and returns what it printed and its exit code.
 */
export function runCosign(
  args: readonly string[],
  options: { cwd: string; env?: Record<string, string> },
): Promise<CosignRun> {
  return new Promise((resolve) => {
    execFile(
      cosignBinary(),
      args,
      {
        cwd: options.cwd,
        env: { PATH: process.env.PATH, HOME: options.cwd, ...options.env },
        maxBuffer: 16 * 1024 * 1024,
      },
      (err, stdout, stderr) => {
        const code = err ? (typeof err.code === 'number' ? err.code : 1) : 0;
        resolve({ code, stdout, stderr });
      },
    );
  });
}

/** `cosign verify --key` of an artifact in a plain-HTTP test registry, without a transparency log. */
export function cosignVerify(cwd: string, publicKey: string, image: string): Promise<CosignRun> {
  return runCosign(
    [
      'verify',
      '--key',
      publicKey,
      '--insecure-ignore-tlog=true',
      '--allow-insecure-registry',
      image,
    ],
    { cwd },
  );
}

/**
 * `cosign sign --key` of `image` (by digest) into a plain-HTTP test registry, without a
 * transparency log, as users sign in CI; the key's password is `password`.
 */
export function cosignSign(
  cwd: string,
  key: string,
  image: string,
  password: string,
): Promise<CosignRun> {
  return runCosign(
    ['sign', '--key', key, '--tlog-upload=false', '--allow-insecure-registry', '--yes', image],
    { cwd, env: { COSIGN_PASSWORD: password } },
  );
}
