import { jest } from '@jest/globals';
import { Readable } from 'node:stream';
import { main } from '../../src/cli/main.js';

/** What one `flux-oci` run printed and returned. */
export interface CliResult {
  readonly code: number;
  readonly stdout: string;
  readonly stderr: string;
}

/** `stdin` replaces standard input; `env` is merged into process.env (undefined deletes). */
export interface CliOptions {
  readonly stdin?: string | Buffer;
  readonly env?: Readonly<Record<string, string | undefined>>;
}

/**
 * Runs `flux-oci <args>` in this process, capturing stdout and stderr; `stdin` replaces
 * standard input and `env` is merged into process.env for the run only.
 */
export async function runCli(
  args: readonly string[],
  options: CliOptions = {},
): Promise<CliResult> {
  let stdout = '';
  let stderr = '';
  const out = jest
    .spyOn(process.stdout, 'write')
    .mockImplementation((s) => ((stdout += String(s)), true));
  const err = jest
    .spyOn(process.stderr, 'write')
    .mockImplementation((s) => ((stderr += String(s)), true));
  const realStdin = Object.getOwnPropertyDescriptor(process, 'stdin')!;
  if (options.stdin !== undefined) {
    Object.defineProperty(process, 'stdin', {
      value: Readable.from([Buffer.from(options.stdin)]),
      configurable: true,
    });
  }
  const savedEnv = { ...process.env };
  for (const [key, value] of Object.entries(options.env ?? {})) {
    if (value === undefined) delete process.env[key];
    else process.env[key] = value;
  }
  try {
    const code = await main(['node', 'flux-oci', ...args]);
    return { code, stdout, stderr };
  } finally {
    process.env = savedEnv;
    Object.defineProperty(process, 'stdin', realStdin);
    out.mockRestore();
    err.mockRestore();
  }
}
