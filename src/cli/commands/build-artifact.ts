import type { Command } from 'commander';
import {
  addIgnorePathsOption,
  ignorePathsFrom,
  ignorePathsOption,
  type IgnorePathsFlags,
} from '../artifact-flags.js';
import { group } from '../group.js';
import { readStdinBytes } from '../read-stdin.js';
import { examples } from '../examples.js';

interface BuildArtifactFlags extends IgnorePathsFlags {
  readonly path?: string;
  readonly output: string;
  readonly resolveSymlinks?: boolean;
}

/**
 * Registers `flux-oci build artifact`, Flux's command of the same name: the gzip tarball of
 * a directory, a single file or stdin (`-p -`), written with mode 0640. Its tar is the one
 * Flux 2.9 builds for the same tree.
 */
export function registerBuildArtifact(program: Command): void {
  group(program, 'build', 'Build artifacts')
    .command('artifact')
    .description(
      'Build a tgz file with the manifests from the given directory or a single manifest file',
    )
    .option('-p, --path <path>', 'path to the directory, file, or - for stdin')
    .option(
      '-o, --output <file>',
      'path to where the artifact tgz file should be written',
      'artifact.tgz',
    )
    .addOption(ignorePathsOption())
    .addOption(addIgnorePathsOption())
    .option('--resolve-symlinks', 'resolve symlinks by copying their targets into the artifact')
    .addHelpText(
      'after',
      examples([
        [
          'Build a tgz file from a local directory',
          'flux-oci build artifact --path=./path/to/local/manifests --output=./path/to/artifact.tgz',
        ],
        [
          'Build a tgz file from stdin',
          'kustomize build . | flux-oci build artifact --path=- --output=./path/to/artifact.tgz',
        ],
      ]),
    )
    .action(async (flags: BuildArtifactFlags) => {
      const path = flags.path ?? '';
      const stdin = path === '-' ? await readStdinBytes() : undefined;
      process.stderr.write(`► building artifact from ${path}\n`);
      // Loaded here: `build artifact --help` never loads the tar and gzip engine.
      const { buildLayerFile } = await import('../../oci/content/layer-file.js');
      // Streamed into the file (memory bounded); Node's zlib: nobody recomputes this digest.
      await buildLayerFile(
        {
          path,
          stdin,
          ignorePaths: ignorePathsFrom(flags),
          resolveSymlinks: flags.resolveSymlinks ?? false,
        },
        flags.output,
        'native',
      );
      process.stderr.write(`✔ artifact created at ${flags.output}\n`);
    });
}
