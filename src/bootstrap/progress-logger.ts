import { escapeControl } from '../terminal-text.js';

/**
 * Where the applier reports progress: one line per step, in the style of the `flux` CLI
 * (`►` step, `✔` success, `✗` failure, `◎` waiting). Progress never goes to stdout, which
 * belongs to the command's actual output.
 */
export interface ProgressLogger {
  step(message: string): void;
  success(message: string): void;
  failure(message: string): void;
  waiting(message: string): void;
}

/**
 * Writes progress lines to stderr with the `flux` prefixes. Messages may carry text from a
 * registry or an artifact (a `# Flux Version:` header, a tag), so control characters are
 * escaped: each message stays one inert line.
 */
export function stderrProgressLogger(
  stream: NodeJS.WritableStream = process.stderr,
): ProgressLogger {
  const line = (prefix: string) => (message: string) => {
    stream.write(`${prefix} ${escapeControl(message)}\n`);
  };
  return { step: line('►'), success: line('✔'), failure: line('✗'), waiting: line('◎') };
}

/** Discards progress (library callers that report on their own). */
export const silentProgressLogger: ProgressLogger = {
  step: () => undefined,
  success: () => undefined,
  failure: () => undefined,
  waiting: () => undefined,
};
