// Runs only `flux-oci build artifact` in a child process, for the stdin test.
import { Command } from 'commander';
import { registerBuildArtifact } from '../../src/cli/commands/build-artifact.js';

const program = new Command('flux-oci');
registerBuildArtifact(program);
program.parseAsync(process.argv).catch((err: unknown) => {
  process.stderr.write(`✗ ${(err as Error).message}\n`);
  process.exitCode = 1;
});
