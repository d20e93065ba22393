import type { Command } from 'commander';

/**
 * Returns the sub-command `name` of `parent`, creating it once: `push artifact` and
 * `push ...` share one `push` group, as in the Flux CLI.
 */
export function group(parent: Command, name: string, description: string): Command {
  const existing = parent.commands.find((c) => c.name() === name);
  if (existing) return existing;
  return parent.command(name).description(description).exitOverride();
}
