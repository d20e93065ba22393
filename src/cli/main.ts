import { Command, CommanderError } from 'commander';
import { UserError } from '../errors.js';
import { formatFailure } from './output.js';
import * as buildArtifact from './commands/build-artifact.js';
import * as buildComponents from './commands/build-components.js';
import * as pushArtifact from './commands/push-artifact.js';
import * as pullArtifact from './commands/pull-artifact.js';
import * as tagArtifact from './commands/tag-artifact.js';
import * as listArtifacts from './commands/list-artifacts.js';
import * as diffArtifact from './commands/diff-artifact.js';
import * as install from './commands/install.js';
import * as createSecretOci from './commands/create-secret-oci.js';
import * as bootstrapOci from './commands/bootstrap-oci.js';
import * as uninstall from './commands/uninstall.js';
import * as upgrade from './commands/upgrade.js';

export const PACKAGE_VERSION = '0.1.0';

/**
 * Builds the `flux-oci` program. Each command lives in its own file under commands/ and
 * registers itself (creating the `push`, `create secret`, ... groups it needs via `group`).
 */
export function buildProgram(): Command {
  const program = new Command('flux-oci')
    .description('Flux bootstrap and artifacts for OCI-compliant container registries')
    .version(PACKAGE_VERSION, '-v, --version')
    // Sub-commands own the options after their name: `install --version v2.9.5` is Flux's.
    .enablePositionalOptions()
    .exitOverride()
    .showHelpAfterError()
    .configureOutput({ writeErr: (s) => process.stderr.write(s) });
  for (const command of [
    buildArtifact,
    buildComponents,
    pushArtifact,
    pullArtifact,
    tagArtifact,
    listArtifacts,
    diffArtifact,
    install,
    createSecretOci,
    bootstrapOci,
    uninstall,
    upgrade,
  ]) {
    command.register(program);
  }
  return program;
}

/** Runs the command line and returns the exit code; user mistakes never print stack traces. */
export async function main(argv: string[]): Promise<number> {
  const program = buildProgram();
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
