import { Command, CommanderError } from 'commander';
import { UserError } from '../errors.js';
import { optimiseFromNow } from '../optimising-compiler.js';
import { PACKAGE_VERSION } from '../version.js';
import { formatFailure } from './output.js';

// For bin/flux-oci.js: the CLI process (not a test running main) collects young garbage.
export { enableYoungGarbageCollection } from '../young-garbage.js';

/** Registers a command (flags, help, action) on the program. */
type Register = (program: Command) => void;

/**
 * Every command: the words that name it and how to load its module. Start-up imports only
 * the modules whose words match the command line (`push artifact ...` loads one file), and
 * a command module keeps its engine (Kubernetes client, registry client, ...) behind an
 * `await import()` in its action, so `--help` and `--version` load next to nothing.
 *
 * To add a command: write commands/<name>.ts exporting `register<Name>(program)` (it creates its
 * group with `group()`), and add one line here. Import heavy modules inside the action.
 */
const COMMANDS: readonly {
  readonly words: readonly string[];
  readonly load: () => Promise<Register>;
  /**
   * Spends its time in native code (zlib, sha256, files, sockets): the launcher's deferral of
   * V8's optimising compilers holds (src/optimising-compiler.ts). Any other command turns
   * them on (YAML, the Kubernetes client, signatures run JavaScript hot).
   */
  readonly nativeBound?: true;
}[] = [
  {
    words: ['build', 'artifact'],
    nativeBound: true,
    load: async () => (await import('./commands/build-artifact.js')).registerBuildArtifact,
  },
  {
    words: ['build', 'components'],
    load: async () => (await import('./commands/build-components.js')).registerBuildComponents,
  },
  {
    words: ['push', 'artifact'],
    nativeBound: true,
    load: async () => (await import('./commands/push-artifact.js')).registerPushArtifact,
  },
  {
    words: ['pull', 'artifact'],
    nativeBound: true,
    load: async () => (await import('./commands/pull-artifact.js')).registerPullArtifact,
  },
  {
    words: ['tag', 'artifact'],
    nativeBound: true,
    load: async () => (await import('./commands/tag-artifact.js')).registerTagArtifact,
  },
  {
    words: ['list', 'artifacts'],
    nativeBound: true,
    load: async () => (await import('./commands/list-artifacts.js')).registerListArtifacts,
  },
  {
    words: ['diff', 'artifact'],
    nativeBound: true,
    load: async () => (await import('./commands/diff-artifact.js')).registerDiffArtifact,
  },
  { words: ['install'], load: async () => (await import('./commands/install.js')).registerInstall },
  {
    words: ['create', 'secret', 'oci'],
    load: async () => (await import('./commands/create-secret-oci.js')).registerCreateSecretOci,
  },
  {
    words: ['bootstrap', 'oci'],
    load: async () => (await import('./commands/bootstrap-oci.js')).registerBootstrapOci,
  },
  {
    words: ['uninstall'],
    load: async () => (await import('./commands/uninstall.js')).registerUninstall,
  },
  { words: ['upgrade'], load: async () => (await import('./commands/upgrade.js')).registerUpgrade },
  {
    words: ['verify', 'artifact'],
    load: async () => (await import('./commands/verify-artifact.js')).registerVerifyArtifact,
  },
  { words: ['trace'], load: async () => (await import('./commands/trace.js')).registerTrace },
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
  for (const register of modules) register(program);
  return program;
}

/** Runs the command line and returns the exit code; user mistakes never print stack traces. */
export async function main(argv: string[]): Promise<number> {
  if (selectCommands(argv).some((command) => command.nativeBound !== true)) optimiseFromNow();
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
