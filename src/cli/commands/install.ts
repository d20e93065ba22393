import type { Command } from 'commander';
import { INSTALL_KEYS } from '../../bootstrap/option-args.js';
import { UserError } from '../../errors.js';
import { generateComponents } from '../../flux/generate-components.js';
import { resolveInstallOptions } from '../../flux/install-options.js';
import { loadManifests } from '../../flux/manifests-source.js';
import { addOptionFlags, readOptionFlags } from '../option-flags.js';

/** Registers `flux-oci install`: with --export, prints the components as `flux install --export` does. */
export function register(program: Command): void {
  const command = program
    .command('install')
    .description("Generate Flux's component manifests (flux install --export)")
    .option('--export', 'print the manifests to standard output')
    .exitOverride();
  addOptionFlags(command, INSTALL_KEYS);
  command.action(async (opts: Record<string, unknown>) => {
    const flags = readOptionFlags(opts, INSTALL_KEYS);
    // Check every option before the (possibly slow) download.
    resolveInstallOptions(flags);
    if (!opts.export) {
      throw new UserError(
        'flux-oci install only generates manifests: add --export to print them, and use `flux-oci bootstrap oci` to install Flux on a cluster',
      );
    }
    const bundle = await loadManifests({
      version: flags.version,
      manifestsPath: flags.manifests,
      baseUrl: flags.manifestsBaseUrl,
    });
    if (!bundle.verified && /^https?:/.test(bundle.origin)) {
      // Say so rather than pretend when neither a pinned nor a published checksum exists.
      process.stderr.write(
        `! ${bundle.origin} was not verified: Flux ${bundle.version} has no pinned checksum and the release publishes none\n`,
      );
    }
    process.stdout.write(generateComponents(bundle, flags).text);
  });
}
