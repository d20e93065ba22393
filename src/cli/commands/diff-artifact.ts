import { existsSync } from 'node:fs';
import type { Command } from 'commander';
import { UserError } from '../../errors.js';
import {
  addIgnorePathsOption,
  ignorePathsFrom,
  ignorePathsOption,
  type IgnorePathsFlags,
} from '../artifact-flags.js';
import { group } from '../group.js';
import { log, parseOutputFormat, printStructured } from '../output.js';
import {
  addRegistryFlags,
  registryClientOptions,
  type RegistryFlags,
} from '../registry-options.js';
import { examples } from '../examples.js';

interface DiffArtifactFlags extends RegistryFlags, IgnorePathsFlags {
  readonly path?: string;
  readonly output?: string;
}

/** Exit code when local and remote differ (as Flux); 0 when equal. */
export const DIFFERENT_EXIT_CODE = 1;
/** Exit code when the comparison could not be made (registry, path, flags). */
export const DIFF_ERROR_EXIT_CODE = 2;

/**
 * Registers `flux-oci diff artifact URL --path dir`, Flux's command: computes the local
 * layer with the same ignore rules and compares digest and size with the remote one; when
 * those differ, the remote tar itself (another gzip encoder gives other bytes for the
 * same content), streamed. Exits 0 when equal, 1 when different, 2 when it cannot tell.
 */
export function registerDiffArtifact(program: Command): void {
  const command = group(program, 'diff', 'Diff artifacts')
    .command('artifact')
    .description('Compare a local directory or file with the content of a remote artifact')
    .argument('<url>', 'oci://<registry>/<repository>[:<tag>|@<digest>]')
    .option(
      '-p, --path <path>',
      'path to the directory or file where the Kubernetes manifests are located',
    )
    .addOption(ignorePathsOption())
    .addOption(addIgnorePathsOption())
    .option('-o, --output <format>', 'print the comparison as json or yaml');
  command.addHelpText(
    'after',
    examples([
      [
        'Check if local files differ from the pushed artifact',
        'flux-oci diff artifact oci://ghcr.io/org/manifests/app:v0.0.1 --path=./path/to/local/manifests',
      ],
    ]),
  );
  addRegistryFlags(command).action(async (url: string, flags: DiffArtifactFlags) => {
    // Loaded when the command runs, not when its help is shown (see main.ts).
    const { diffArtifactTree } = await import('../../oci/registry/diff.js');
    const { toReference } = await import('../../oci/registry/operation.js');
    let same: boolean;
    try {
      const format = parseOutputFormat(flags.output);
      const path = flags.path ?? '';
      if (path === '' || !existsSync(path)) {
        throw new UserError(
          `invalid path '${path}': --path must point to an existing directory or file`,
        );
      }
      const ref = toReference(url);
      const clientOptions = await registryClientOptions(flags, ref.registry);
      // Streamed on both sides, nothing kept: the layer a push would make (one manifest
      // request when equal), else the tar's digest against the remote layer's tar (a layer
      // compressed by another deflate, Go Flux's). No size limit, as `pull artifact`.
      const diff = await diffArtifactTree(
        ref,
        { path, ignorePaths: ignorePathsFrom(flags) },
        clientOptions,
      );
      same = diff.same;
      if (format) printStructured(format, diff);
    } catch (err) {
      // Whatever stopped the comparison, exit 1 would say "different": it is 2, "cannot tell".
      const message = err instanceof Error ? err.message : String(err);
      throw new UserError(message, DIFF_ERROR_EXIT_CODE);
    }
    if (!same)
      throw new UserError(
        'the remote artifact contents differs from the local one',
        DIFFERENT_EXIT_CODE,
      );
    log.success('no changes detected');
  });
}
