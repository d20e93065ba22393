import { stringify } from 'yaml';
import { UserError } from '../errors.js';

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
  const text =
    format === 'json'
      ? `${JSON.stringify(value, null, 2)}\n`
      : stringify(value, { sortMapEntries: true, lineWidth: 0 });
  process.stdout.write(text);
}

/**
 * A table as Flux prints them (tablewriter without borders): upper-case header, every
 * cell padded to its column's width and followed by a tab.
 */
export function formatTable(
  header: readonly string[],
  rows: readonly (readonly string[])[],
): string {
  const all = [header.map((h) => h.toUpperCase()), ...rows];
  const widths = header.map((_, i) => Math.max(...all.map((row) => [...(row[i] ?? '')].length)));
  return all
    .map(
      (row) =>
        `${row.map((cell, i) => `${cell}${' '.repeat(widths[i] - [...cell].length)}\t`).join('')}\n`,
    )
    .join('');
}

/** Flux's log lines on stderr: `►` what is being done, `✔` what was done, `⚠️` warnings. */
export const log = {
  action: (message: string): void => void process.stderr.write(`► ${message}\n`),
  success: (message: string): void => void process.stderr.write(`✔ ${message}\n`),
  warning: (message: string): void => void process.stderr.write(`⚠️ ${message}\n`),
};
