import { Option, type Command } from 'commander';
import { UserError } from '../errors.js';
import type { BootstrapOciOptions } from '../bootstrap/options.js';
import { OPTION_FLAGS } from '../bootstrap/option-flags.js';

/** Adds the flags of the given bootstrap options to a command (all of them by default). */
export function addOptionFlags(
  command: Command,
  keys: readonly (keyof BootstrapOciOptions)[] = Object.keys(
    OPTION_FLAGS,
  ) as (keyof BootstrapOciOptions)[],
): Command {
  for (const key of keys) {
    const { flag, kind, help } = OPTION_FLAGS[key];
    const option =
      kind === 'boolean'
        ? new Option(`${flag} [bool]`, help).argParser((v) => parseBool(flag, v))
        : kind === 'list'
          ? new Option(`${flag} <items>`, `${help} (comma separated)`).argParser(splitList)
          : new Option(`${flag} <value>`, help);
    command.addOption(option.attributeName() === key ? option : renamed(option, key));
  }
  return command;
}

/** Reads the bootstrap options back from a command's parsed flags. */
export function readOptionFlags(
  opts: Record<string, unknown>,
  keys: readonly (keyof BootstrapOciOptions)[] = Object.keys(
    OPTION_FLAGS,
  ) as (keyof BootstrapOciOptions)[],
): Partial<BootstrapOciOptions> {
  const options: Record<string, unknown> = {};
  for (const key of keys) {
    // `--network-policy` alone means true, as with the Flux CLI's boolean flags.
    const value = opts[key];
    if (value !== undefined)
      options[key] = value === true && OPTION_FLAGS[key].kind !== 'boolean' ? '' : value;
  }
  return options as Partial<BootstrapOciOptions>;
}

function renamed(option: Option, key: string): Option {
  // Commander derives `clusterUrl` from `--cluster-url` already; this guards the exceptions.
  Object.defineProperty(option, 'attributeName', { value: () => key });
  return option;
}

function parseBool(flag: string, value: string | undefined): boolean {
  if (value === undefined || value === 'true') return true;
  if (value === 'false') return false;
  throw new UserError(`${flag} '${value}' is not a boolean: use ${flag}=true or ${flag}=false`);
}

function splitList(value: string, previous: string[] | undefined): string[] {
  const items = value
    .split(',')
    .map((s) => s.trim())
    .filter((s) => s !== '');
  return [...(previous ?? []), ...items];
}
