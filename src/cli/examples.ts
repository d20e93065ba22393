/** One use of a command: what it does and its command line (`\` continues a line). */
export type Example = readonly [what: string, commandLine: string];

/** The `Examples:` block flux2 shows in every command's help, for `addHelpText('after', ...)`. */
export function examples(list: readonly Example[]): string {
  return `\nExamples:\n${list.map(([what, line]) => `  # ${what}\n  ${line}`).join('\n\n')}\n`;
}
