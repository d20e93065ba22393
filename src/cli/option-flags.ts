import { Option, type Command } from 'commander';
import { UserError } from '../errors.js';
import type { BootstrapOciOptions, CommandOption } from '../bootstrap/options/options.js';
import { envFlag, hasFlag, OPTION_FLAGS } from '../bootstrap/options/option-flags.js';

const ALL_KEYS = Object.keys(OPTION_FLAGS) as CommandOption[];

/**
 * Adds the flags of the given bootstrap options to a command (all of them by default), and
 * `<flag>-env <name>` beside each option that may be known only at deploy time.
 */
export function addOptionFlags(
  command: Command,
  keys: readonly (keyof BootstrapOciOptions)[] = ALL_KEYS,
): Command {
  for (const key of keys.filter(hasFlag)) {
    const { flag, kind, help, deployTime, envOnly } = OPTION_FLAGS[key];
    const option =
      kind === 'boolean'
        ? new Option(`${flag} [bool]`, help).argParser((v) => parseBool(flag, v))
        : kind === 'list'
          ? new Option(`${flag} <items>`, `${help} (comma separated)`).argParser(splitList)
          : new Option(`${flag} <value>`, help);
    if (!envOnly) {
      command.addOption(option.attributeName() === key ? option : renamed(option, key));
    }
    if (deployTime) {
      const fromEnv = new Option(
        `${envFlag(key)} <name>`,
        envOnly
          ? `environment variable holding the ${help}`
          : `environment variable holding the value of ${flag}`,
      );
      command.addOption(
        fromEnv.attributeName() === `${key}Env` ? fromEnv : renamed(fromEnv, `${key}Env`),
      );
    }
  }
  return command;
}

/**
 * Reads the bootstrap options back from a command's parsed flags, taking the value of a
 * `<flag>-env <name>` from that environment variable.
 */
export function readOptionFlags(
  opts: Record<string, unknown>,
  keys: readonly (keyof BootstrapOciOptions)[] = ALL_KEYS,
  env: NodeJS.ProcessEnv = process.env,
): Partial<BootstrapOciOptions> {
  const options: Record<string, unknown> = {};
  for (const key of keys.filter(hasFlag)) {
    // `--network-policy` alone means true, as with the Flux CLI's boolean flags.
    const value = opts[key];
    if (value !== undefined)
      options[key] = value === true && OPTION_FLAGS[key].kind !== 'boolean' ? '' : value;
    const name = opts[`${key}Env`];
    if (name !== undefined) {
      const flag = OPTION_FLAGS[key].flag;
      if (value !== undefined) {
        throw new UserError(`${flag} and ${envFlag(key)} are both given: give one of them`);
      }
      options[key] = fromEnv(String(name), envFlag(key), env);
    }
  }
  return options as Partial<BootstrapOciOptions>;
}

/** The value of the environment variable a `<flag>-env` flag names; never echoed. */
function fromEnv(name: string, flag: string, env: NodeJS.ProcessEnv): string {
  const value = env[name];
  if (value === undefined || value === '') {
    throw new UserError(
      `the environment variable ${name} named by ${flag} is not set: set it, or name another with ${flag}`,
    );
  }
  return value;
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
