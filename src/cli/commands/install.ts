import type { Command } from 'commander';
import { INSTALL_KEYS } from '../../bootstrap/options/option-args.js';
import { resolveInstallOptions } from '../../flux/install-options.js';
import { stderrProgressLogger } from '../../bootstrap/progress-logger.js';
import { parseRegistryCreds } from '../../bootstrap/options/registry-creds.js';
import { addOptionFlags, readOptionFlags } from '../option-flags.js';
import { log } from '../output.js';
import { parseGoDuration } from '../registry-options.js';
import { examples } from '../examples.js';

/**
 * `flux-oci install`'s option flags: the install options, the cluster connection, --timeout,
 * and `flux install`'s --registry-creds (also --registry-creds-env) and --force.
 */
const KEYS = [
  ...INSTALL_KEYS,
  'kubeconfig',
  'context',
  'timeout',
  'registryCreds',
  'force',
] as const;

/**
 * Registers `flux-oci install`: installs or upgrades Flux on the cluster as `flux install`
 * does (staged apply, then the controllers' readiness); with --export, prints the
 * components as `flux install --export` does.
 */
export function registerInstall(program: Command): void {
  const command = program
    .command('install')
    .description('Install or upgrade Flux, or print its component manifests with --export')
    .option('--export', 'print the manifests to standard output and exit')
    .exitOverride();
  addOptionFlags(command, KEYS);
  command.addHelpText(
    'after',
    examples([
      ["Install Flux's default version on the current context's cluster", 'flux-oci install'],
      [
        'Print the manifests of one Flux version with extra components, without a cluster',
        'flux-oci install --export --version=v2.9.4 --components-extra=image-reflector-controller,image-automation-controller',
      ],
    ]),
  );
  command.action(async (opts: Record<string, unknown>) => {
    // Loaded when the command runs, not when its help is shown (see main.ts).
    const { generateComponents } = await import('../../flux/generate-components.js');
    const { loadManifests } = await import('../../flux/manifests/source.js');
    const { KubeClient } = await import('../../kube/client.js');
    const { loadKubeConfig } = await import('../../kube/kubeconfig.js');
    const { installFlux } = await import('../../bootstrap/install-flux.js');
    const flags = readOptionFlags(opts, KEYS);
    // Check every option before the (possibly slow) download.
    const install = resolveInstallOptions(flags);
    const timeoutMs = parseGoDuration(flags.timeout ?? '5m0s', '--timeout');
    const registryCredentials = parseRegistryCreds(flags.registryCreds, install.imagePullSecret);
    if (!opts.export) log.generate('generating manifests');
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
    const components = generateComponents(bundle, flags);
    if (opts.export) {
      process.stdout.write(components.text);
      return;
    }
    log.success('manifests build completed');
    const kube = new KubeClient(loadKubeConfig(flags));
    await installFlux(kube, {
      components,
      namespace: install.namespace,
      registry: install.registry,
      imagePullSecret: install.imagePullSecret || undefined,
      registryCredentials,
      force: flags.force ?? false,
      confirmOverride: process.stdin.isTTY ? confirm : undefined,
      timeoutMs,
      logger: stderrProgressLogger(),
    });
  });
}

async function confirm(question: string): Promise<boolean> {
  // Loaded for the prompt only: `--help` and unattended runs never load readline.
  const { createInterface } = await import('node:readline/promises');
  const prompt = createInterface({ input: process.stdin, output: process.stderr });
  try {
    return /^y(es)?$/i.test((await prompt.question(`${question} [y/N] `)).trim());
  } finally {
    prompt.close();
  }
}
