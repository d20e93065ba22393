import type { Command } from 'commander';
import { group } from '../group.js';
import { formatTable, parseOutputFormat, printStructured } from '../output.js';
import {
  addRegistryFlags,
  registryClientOptions,
  type RegistryFlags,
} from '../registry-options.js';
import { examples } from '../examples.js';

interface ListArtifactsFlags extends RegistryFlags {
  readonly filterSemver?: string;
  readonly filterRegex?: string;
  readonly output?: string;
}

/**
 * Registers `flux-oci list artifacts`, Flux's command: the repository's tags (newest name
 * first, cosign tags hidden) with digest, source and revision, as a table or json/yaml.
 */
export function registerListArtifacts(program: Command): void {
  const command = group(program, 'list', 'List artifacts')
    .command('artifacts')
    .description('List the tags of an OCI repository and their metadata')
    .argument('<url>', 'oci://<registry>/<repository>')
    .option('--filter-semver <range>', 'filter tags returned from the oci repository using semver')
    .option('--filter-regex <regex>', 'filter tags returned from the oci repository using regex')
    .option('-o, --output <format>', 'print the list as json or yaml instead of a table');
  command.addHelpText(
    'after',
    examples([
      [
        'List the artifacts of a repository',
        'flux-oci list artifacts oci://ghcr.io/org/manifests/app',
      ],
      [
        'List the 1.x releases as JSON',
        'flux-oci list artifacts oci://ghcr.io/org/manifests/app --filter-semver=">=1.0.0 <2.0.0" --output=json',
      ],
    ]),
  );
  addRegistryFlags(command).action(async (url: string, flags: ListArtifactsFlags) => {
    // Loaded when the command runs, not when its help is shown (see main.ts).
    const { listArtifacts, toReference } = await import('../../oci/registry/index.js');
    const format = parseOutputFormat(flags.output);
    const ref = toReference(url, undefined);
    const artifacts = await listArtifacts(ref, {
      ...(await registryClientOptions(flags, ref.registry)),
      semverFilter: flags.filterSemver,
      regexFilter: flags.filterRegex,
    });
    if (format) {
      printStructured(format, artifacts);
      return;
    }
    const rows = artifacts.map((a) => [a.url, a.digest, a.source, a.revision]);
    process.stdout.write(formatTable(['artifact', 'digest', 'source', 'revision'], rows));
  });
}
