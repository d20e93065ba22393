import { Option, type Command } from 'commander';
import { silentProgressLogger, stderrProgressLogger } from '../../bootstrap/progress-logger.js';
import { INSTALL_KEYS } from '../../bootstrap/options/option-args.js';
import type { BootstrapOciOptions } from '../../bootstrap/options/options.js';
import { PASSWORD_ENV } from '../../oci/registry/credentials.js';
import type { UpgradeComponentsOptions } from '../../bootstrap/upgrade-components.js';
import { UserError } from '../../errors.js';
import { DEFAULT_FLUX_VERSION } from '../../flux/flux-versions.js';
import { addOptionFlags, readOptionFlags } from '../option-flags.js';
import { parseOutputFormat, printStructured } from '../output.js';
import { readStdin } from '../read-stdin.js';
import { examples } from '../examples.js';

/** The bootstrap flags upgrade shares; the password has none (standard input or environment). */
const UPGRADE_FLAGS: readonly (keyof BootstrapOciOptions)[] = [
  'url',
  'username',
  'provider',
  ...INSTALL_KEYS,
  'caFile',
  'allowInsecureHttp',
  'timeout',
  'cosignKey',
];

/**
 * Registers `flux-oci upgrade`: RFC story 4, Flux updated through the registry from CI,
 * with no access to the cluster.
 */
export function registerUpgrade(program: Command): void {
  const command = program
    .command('upgrade')
    .description(
      'Regenerate the Flux components artifact for another version, push it by digest and move its tag (no cluster access)',
    )
    .exitOverride();
  addOptionFlags(command, UPGRADE_FLAGS);
  command
    .option(
      '--password-stdin',
      `read the registry password from standard input (or set ${PASSWORD_ENV})`,
    )
    // Declared only to refuse it without echoing the value, as an unknown option would.
    .addOption(new Option('--password <password>').hideHelp())
    .option('--source <url>', 'org.opencontainers.image.source of the new artifact')
    .option(
      '--revision <revision>',
      'org.opencontainers.image.revision of the new artifact (default: the Flux version)',
    )
    .option('--allow-downgrade', "allow a version older than the artifact's (Flux 2.6 at least)")
    .option('-o, --output <format>', 'print the result on stdout as json or yaml')
    .option('--silent', 'print nothing on stderr but errors')
    .addHelpText(
      'after',
      `\n--version defaults to Flux ${DEFAULT_FLUX_VERSION}. The install flags (--components, --registry, --log-level, ...)\n` +
        'default to what the artifact was generated with; its kustomization.yaml and patch files are kept as they are.',
    );
  command.addHelpText(
    'after',
    examples([
      [
        'Regenerate the components artifact for another Flux version from CI, and move its tag',
        'echo $GITHUB_TOKEN | flux-oci upgrade --url=oci://ghcr.io/org/flux-manifests:production \\\n    --username=flux --password-stdin --version=v2.9.4',
      ],
    ]),
  );
  command.action(async (opts: Record<string, unknown>) => {
    // Loaded when the command runs, not when its help is shown (see main.ts).
    const { upgradeComponents } = await import('../../bootstrap/upgrade-components.js');
    if (opts.password !== undefined) {
      throw new UserError(
        `flux-oci upgrade takes no --password: other users can read a command line; pipe the password to --password-stdin or set ${PASSWORD_ENV}`,
      );
    }
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
