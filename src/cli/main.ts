import { Command, CommanderError } from 'commander';
import { UserError } from '../errors.js';
import { formatFailure } from './output.js';

export const PACKAGE_VERSION = '0.1.0';

/** A command module: registers its command (flags, help, action) on the program. */
interface CommandModule {
  register(program: Command): void;
}

/**
 * Every command: the words that name it and how to load its module. Start-up imports only
 * the modules whose words match the command line (`push artifact ...` loads one file), and
 * a command module keeps its engine (Kubernetes client, registry client, ...) behind an
 * `await import()` in its action, so `--help` and `--version` load next to nothing.
 *
 * To add a command: write commands/<name>.ts exporting `register(program)` (it creates its
 * group with `group()`), and add one line here. Import heavy modules inside the action.
 */
const COMMANDS: readonly {
  readonly words: readonly string[];
  readonly load: () => Promise<CommandModule>;
}[] = [
  { words: ['build', 'artifact'], load: () => import('./commands/build-artifact.js') },
  { words: ['build', 'components'], load: () => import('./commands/build-components.js') },
  { words: ['push', 'artifact'], load: () => import('./commands/push-artifact.js') },
  { words: ['pull', 'artifact'], load: () => import('./commands/pull-artifact.js') },
  { words: ['tag', 'artifact'], load: () => import('./commands/tag-artifact.js') },
  { words: ['list', 'artifacts'], load: () => import('./commands/list-artifacts.js') },
  { words: ['diff', 'artifact'], load: () => import('./commands/diff-artifact.js') },
  { words: ['install'], load: () => import('./commands/install.js') },
  { words: ['create', 'secret', 'oci'], load: () => import('./commands/create-secret-oci.js') },
  { words: ['bootstrap', 'oci'], load: () => import('./commands/bootstrap-oci.js') },
  { words: ['uninstall'], load: () => import('./commands/uninstall.js') },
  { words: ['upgrade'], load: () => import('./commands/upgrade.js') },
  { words: ['verify', 'artifact'], load: () => import('./commands/verify-artifact.js') },
  { words: ['trace'], load: () => import('./commands/trace.js') },
];

/**
 * The commands `argv` names: those whose words start with the command line's leading words
 * (`push` selects every `push ...` command); none for `--version`; all when nothing matches
 * (the program's help, or a mistyped command that commander then explains).
 */
export function selectCommands(argv: readonly string[]): readonly (typeof COMMANDS)[number][] {
  const args = argv.slice(2);
  if (args[0] === '-v' || args[0] === '--version') return [];
  const firstOption = args.findIndex((arg) => arg.startsWith('-'));
  const words = firstOption === -1 ? args : args.slice(0, firstOption);
  const matching = COMMANDS.filter((command) =>
    command.words.every((word, i) => i >= words.length || words[i] === word),
  );
  return words.length > 0 && matching.length > 0 ? matching : COMMANDS;
}

/**
 * Builds the `flux-oci` program with the commands `argv` names (see {@link selectCommands};
 * all by default).
 */
export async function buildProgram(argv: readonly string[] = []): Promise<Command> {
  const program = new Command('flux-oci')
    .description('Flux bootstrap and artifacts for OCI-compliant container registries')
    .version(PACKAGE_VERSION, '-v, --version')
    // Sub-commands own the options after their name: `install --version v2.9.5` is Flux's.
    .enablePositionalOptions()
    .exitOverride()
    .showHelpAfterError()
    .configureOutput({ writeErr: (s) => process.stderr.write(s) });
  const modules = await Promise.all(selectCommands(argv).map((command) => command.load()));
  for (const module of modules) module.register(program);
  return program;
}

/** Runs the command line and returns the exit code; user mistakes never print stack traces. */
export async function main(argv: string[]): Promise<number> {
  const program = await buildProgram(argv);
  try {
    await program.parseAsync(argv);
    return 0;
  } catch (err) {
    if (err instanceof CommanderError) return err.exitCode === 0 ? 0 : 2;
    if (err instanceof UserError) {
      process.stderr.write(formatFailure(err.message));
      return err.exitCode;
    }
    throw err;
  }
}
