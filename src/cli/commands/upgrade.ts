import type { Command } from 'commander';
import {
  silentProgressLogger,
  stderrProgressLogger,
} from '../../bootstrap/apply/progress-logger.js';
import type { BootstrapOciOptions } from '../../bootstrap/options.js';
import { PASSWORD_ENV } from '../../bootstrap/registry-access.js';
import {
  upgradeComponents,
  type UpgradeComponentsOptions,
} from '../../bootstrap/upgrade-components.js';
import { addOptionFlags, readOptionFlags } from '../option-flags.js';
import { parseOutputFormat, printStructured } from '../output.js';
import { readStdin } from '../read-stdin.js';

/** The bootstrap flags upgrade shares; the password has none (standard input or environment). */
const UPGRADE_FLAGS: readonly (keyof BootstrapOciOptions)[] = [
  'url',
  'username',
  'version',
  'components',
  'componentsExtra',
  'registry',
  'imagePullSecret',
  'networkPolicy',
  'watchAllNamespaces',
  'logLevel',
  'clusterDomain',
  'tolerationKeys',
  'namespace',
  'manifests',
  'manifestsBaseUrl',
  'caFile',
  'allowInsecureHttp',
  'timeout',
];

/**
 * Registers `flux-oci upgrade`: RFC story 4, Flux updated through the registry from CI,
 * with no access to the cluster.
 */
export function register(program: Command): void {
  const command = program
    .command('upgrade')
    .description(
      'Regenerate the Flux components artifact for another version, push it by digest and move its tag (no cluster access)',
    )
    .option(
      '--password-stdin',
      `read the registry password from standard input (or set ${PASSWORD_ENV})`,
    )
    .option('--source <url>', 'org.opencontainers.image.source of the new artifact')
    .option(
      '--revision <revision>',
      'org.opencontainers.image.revision of the new artifact (default: the Flux version)',
    )
    .option('--allow-downgrade', 'allow a version older than the artifact’s (2.6 at least)')
    .option('-o, --output <format>', 'print the result on stdout as json or yaml')
    .option('--silent', 'print nothing on stderr but errors')
    .addHelpText(
      'after',
      '\nThe install flags (--components, --registry, --log-level, ...) default to what the artifact was generated with;\n' +
        'the kustomization.yaml and patch files in the artifact are kept as they are.',
    )
    .exitOverride();
  addOptionFlags(command, UPGRADE_FLAGS);
  command.action(async (opts: Record<string, unknown>) => {
    const format = parseOutputFormat(opts.output as string | undefined);
    const flags = readOptionFlags(opts, UPGRADE_FLAGS);
    const options: UpgradeComponentsOptions = {
      ...(flags as Omit<UpgradeComponentsOptions, 'url'>),
      url: flags.url ?? '',
      source: opts.source as string | undefined,
      revision: opts.revision as string | undefined,
      allowDowngrade: Boolean(opts.allowDowngrade),
      password: opts.passwordStdin ? await readStdin('the registry password') : undefined,
      logger: opts.silent ? silentProgressLogger : stderrProgressLogger(),
    };
    const result = await upgradeComponents(options);
    if (format) printStructured(format, result);
  });
}
