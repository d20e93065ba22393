import type { Command } from 'commander';
import { UserError } from '../../errors.js';
import { collectCsv } from '../artifact-flags.js';
import { group } from '../group.js';
import { log, parseOutputFormat, printStructured } from '../output.js';
import {
  addRegistryFlags,
  registryClientOptions,
  type RegistryFlags,
} from '../registry-options.js';
import { examples } from '../examples.js';

interface TagArtifactFlags extends RegistryFlags {
  readonly tag?: string[];
  readonly output?: string;
}

/** Registers `flux-oci tag artifact URL --tag t1,t2`: the manifest copied under new tags. */
export function registerTagArtifact(program: Command): void {
  const command = group(program, 'tag', 'Tag artifacts')
    .command('artifact')
    .description('Tag an OCI artifact with more tags (no content is transferred)')
    .argument('<url>', 'oci://<registry>/<repository>[:<tag>|@<digest>]')
    .option('--tag <tags>', 'tag name (comma separated, repeatable)', collectCsv)
    .option('-o, --output <format>', 'print the result as json or yaml');
  command.addHelpText(
    'after',
    examples([
      [
        'Tag an OCI artifact as latest and production',
        'flux-oci tag artifact oci://ghcr.io/org/manifests/app:v0.0.1 --tag latest --tag production',
      ],
    ]),
  );
  addRegistryFlags(command).action(async (url: string, flags: TagArtifactFlags) => {
    // Loaded when the command runs, not when its help is shown (see main.ts).
    const { tagArtifact } = await import('../../oci/registry/tag.js');
    const { toReference } = await import('../../oci/registry/operation.js');
    const format = parseOutputFormat(flags.output);
    const tags = (flags.tag ?? []).filter((t) => t !== '');
    if (tags.length === 0) throw new UserError('--tag is required, e.g. --tag latest,v1.0.0');
    const ref = toReference(url);
    const clientOptions = await registryClientOptions(flags, ref.registry);
    if (!format) log.action('tagging artifact');
    const result = await tagArtifact(ref, tags, clientOptions);
    if (format) {
      printStructured(format, { digest: result.digest, tags: result.tagged });
      return;
    }
    for (const tagged of result.tagged) log.success(`artifact tagged as ${tagged}`);
  });
}
