import { createRequire } from 'node:module';
import { UserError } from '../errors.js';
import { escapeControl } from '../terminal-text.js';

/** Machine-readable formats of `-o/--output`. */
export type OutputFormat = 'json' | 'yaml';

/** Checks `-o` (`json`, `yaml`, or absent for the human log lines). */
export function parseOutputFormat(value: string | undefined): OutputFormat | undefined {
  if (value === undefined || value === '') return undefined;
  if (value === 'json' || value === 'yaml') return value;
  throw new UserError(`invalid --output '${value}': use json or yaml`);
}

/**
 * Prints `value` on stdout: JSON indented by two spaces plus a newline, or YAML with sorted
 * keys (as Flux's sigs.k8s.io/yaml writes it).
 */
export function printStructured(format: OutputFormat, value: unknown): void {
  // The YAML library loads only when YAML is asked for (start-up time, see main.ts).
  const yaml = (): typeof import('yaml') => createRequire(import.meta.url)('yaml');
  const text =
    format === 'json'
      ? `${JSON.stringify(value, null, 2)}\n`
      : yaml().stringify(value, { sortMapEntries: true, lineWidth: 0 });
  process.stdout.write(text);
}

/**
 * A table as Flux prints them (tablewriter without borders): upper-case header, every
 * cell padded to its column's width and followed by a tab, except the header's last cell,
 * followed by a space. Cells are escaped (`escapeControl`): they hold registry text.
 */
export function formatTable(
  header: readonly string[],
  rows: readonly (readonly string[])[],
): string {
  const all = [header.map((h) => h.toUpperCase()), ...rows].map((row) =>
    header.map((_, i) => escapeControl(row[i] ?? '')),
  );
  const widths = header.map((_, i) => Math.max(...all.map((row) => [...row[i]].length)));
  return all
    .map((row, r) => {
      const cells = row.map((cell, i) => {
        const after = r === 0 && i === row.length - 1 ? ' ' : '\t';
        return `${cell}${' '.repeat(widths[i] - [...cell].length)}${after}`;
      });
      return `${cells.join('')}\n`;
    })
    .join('');
}

/**
 * Flux's log lines on stderr: `✚` what is being generated, `►` what is being done, `✔` what
 * was done, `⚠️` warnings.
 * Each is one line: control characters in the message (registry or artifact text) are
 * escaped.
 */
export const log = {
  generate: (message: string): void => void process.stderr.write(`✚ ${escapeControl(message)}\n`),
  action: (message: string): void => void process.stderr.write(`► ${escapeControl(message)}\n`),
  success: (message: string): void => void process.stderr.write(`✔ ${escapeControl(message)}\n`),
  warning: (message: string): void => void process.stderr.write(`⚠️ ${escapeControl(message)}\n`),
};

/**
 * The `✗` line of a failed command. Messages built of several lines keep their line
 * breaks; every other control character is escaped (text from a registry, an artifact
 * or a cluster is quoted escaped, newlines included, where the message is made).
 */
export function formatFailure(message: string): string {
  return `✗ ${message.split('\n').map(escapeControl).join('\n')}\n`;
}
