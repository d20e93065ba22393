import { Command, Option } from 'commander';
import { COMPONENTS_KEYS } from '../../bootstrap/options/option-args.js';
import { group } from '../group.js';
import { addOptionFlags, readOptionFlags } from '../option-flags.js';
import { examples } from '../examples.js';

/**
 * Registers `flux-oci build components`: the Flux components artifact written as an OCI
 * image layout, without pushing. The construct runs it at synth time; its digest is the one
 * `bootstrap oci` pushes for the same options.
 */
export function registerBuildComponents(program: Command): void {
  const command = group(program, 'build', 'Build artifacts')
    .command('components')
    .description('Build the Flux components artifact into an OCI image layout directory')
    .requiredOption('--output <dir>', 'directory to write the OCI image layout to')
    .addOption(
      new Option('--output-format <format>', 'what to print on stdout')
        .choices(['text', 'json'])
        .default('text'),
    );
  addOptionFlags(command, COMPONENTS_KEYS);
  command.addHelpText(
    'after',
    examples([
      [
        "Build the components artifact of Flux's default version as an OCI image layout",
        'flux-oci build components --output=./flux-components',
      ],
      [
        'Build it for one Flux version with the extra image automation controllers',
        'flux-oci build components --version=v2.9.4 \\\n    --components-extra=image-reflector-controller,image-automation-controller --output=./flux-components',
      ],
    ]),
  );
  command.action(async (opts: Record<string, unknown>) => {
    // Loaded when the command runs, not when its help is shown (see main.ts).
    const { packComponents } = await import('../../bootstrap/build-components.js');
    const { resolveBootstrapOptions } = await import('../../bootstrap/options/resolve-options.js');
    const { writeOciLayout } = await import('../../oci/layout.js');
    // The URL does not shape the artifact; a placeholder satisfies the shared validation.
    const options = resolveBootstrapOptions({
      url: 'oci://localhost/flux-components',
      ...readOptionFlags(opts, COMPONENTS_KEYS),
    });
    const { artifact, objects, version } = await packComponents(options);
    writeOciLayout(opts.output as string, artifact);
    const digest = artifact.manifest.descriptor.digest;
    if (opts.outputFormat === 'json') {
      process.stdout.write(
        `${JSON.stringify({ digest, version, objects: objects.length }, null, 2)}\n`,
      );
    } else {
      process.stderr.write(
        `✔ Flux ${version} components (${objects.length} objects) built to ${String(opts.output)}\n`,
      );
      process.stdout.write(`${digest}\n`);
    }
  });
}
