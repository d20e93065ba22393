import { Command, Option } from 'commander';
import { stderrProgressLogger, silentProgressLogger } from '../../bootstrap/progress-logger.js';
import type { BootstrapOciOptions } from '../../bootstrap/options/options.js';
import { CLUSTER_PASSWORD_ENV, PASSWORD_ENV } from '../../oci/registry/credentials.js';
import type { SecretRevision } from '../../bootstrap/readiness/auth-failure.js';
import { REGISTRY_CREDS_ARGV_WARNING } from '../../bootstrap/options/registry-creds.js';
import type { ResolvedBootstrapOptions } from '../../bootstrap/options/resolve-options.js';
import type { SyncPlan } from '../../bootstrap/sync-plan.js';
import { UserError } from '../../errors.js';
import { group } from '../group.js';
import { addOptionFlags, readOptionFlags } from '../option-flags.js';
import { readStdin } from '../read-stdin.js';
import { examples } from '../examples.js';

/**
 * Registers `flux-oci bootstrap oci`: both phases against a cluster, with the RFC's flags.
 * `--phase` runs one step alone; the CDKTF construct's pre-apply steps use it.
 */
export function registerBootstrapOci(program: Command): void {
  const command = group(program, 'bootstrap', 'Deploy Flux on a cluster the GitOps way')
    .command('oci')
    .description(
      'Push the Flux components to an OCI registry, install them, and make Flux follow the registry',
    )
    .option(
      '--password-stdin',
      `read the registry password from standard input (or set ${PASSWORD_ENV})`,
    )
    .addOption(
      new Option('--phase <phase>', 'run one step alone (used by the CDKTF construct)')
        .choices(['all', 'install', 'pre-apply', 'secrets', 'sync', 'wait'])
        .default('all'),
    )
    .option('--artifact <dir>', 'push this prebuilt components artifact (an OCI image layout)')
    .option(
      '--components-digest <digest>',
      'with --phase=secrets|sync|wait: the digest of the components artifact',
    )
    // The construct's revision props, named when a registry refuses a Secret's credentials.
    .addOption(
      new Option('--password-revision <n>', 'the construct prop passwordRevision')
        .argParser(Number)
        .hideHelp(),
    )
    .addOption(
      new Option('--cluster-password-revision <n>', 'the construct prop clusterPasswordRevision')
        .argParser(Number)
        .hideHelp(),
    )
    .option('--silent', 'print nothing but errors');
  // Also --password-env, --kubeconfig-env, ...: the construct's steps get the values
  // Terraform knows only at deploy time through their environment.
  addOptionFlags(command);
  command.addHelpText(
    'after',
    `\nWithout --password or --password-env the password comes from ${PASSWORD_ENV} (${CLUSTER_PASSWORD_ENV} for the cluster registry).`,
  );
  command.addHelpText(
    'after',
    examples([
      [
        "Bootstrap Flux from a components artifact and sync the cluster's own artifact",
        'echo $GITHUB_TOKEN | flux-oci bootstrap oci --url=oci://ghcr.io/org/flux-manifests:production \\\n    --username=flux --password-stdin \\\n    --cluster-url=oci://ghcr.io/org/fleet:production --cluster-path=clusters/production',
      ],
      [
        "Bootstrap from ECR with the cloud's identity (no credentials stored in the cluster)",
        'flux-oci bootstrap oci --url=oci://123456789012.dkr.ecr.eu-west-1.amazonaws.com/flux-manifests:production \\\n    --provider=aws',
      ],
      [
        'Sign what the bootstrap pushes and have Flux verify both artifacts (offline, key-based)',
        'COSIGN_PASSWORD="$KEY_PASSWORD" flux-oci bootstrap oci --url=oci://ghcr.io/org/flux-manifests:production \\\n    --cluster-url=oci://ghcr.io/org/fleet:production --cosign-key=./cosign.key \\\n    --cluster-verify-public-key=./cosign.pub',
      ],
    ]),
  );
  command.action(async (opts: Record<string, unknown>) => {
    // Loaded when the command runs, not when its help is shown (see main.ts).
    const { bootstrapOci, kubeClientFor } = await import('../../bootstrap/bootstrap-oci.js');
    const { runInstallPhase } = await import('../../bootstrap/install-phase.js');
    const { resolveBootstrapOptions } = await import('../../bootstrap/options/resolve-options.js');
    const { runSecretsPhase } = await import('../../bootstrap/secrets-phase.js');
    const { ensureClusterArtifact, runSyncPhase, waitForSync } =
      await import('../../bootstrap/sync-phase.js');
    const { planSync } = await import('../../bootstrap/sync-plan.js');
    const { readOciLayout } = await import('../../oci/layout.js');
    const logger = opts.silent ? silentProgressLogger : stderrProgressLogger();
    const given: { -readonly [K in keyof BootstrapOciOptions]?: BootstrapOciOptions[K] } =
      readOptionFlags(opts);
    if (opts.password !== undefined) {
      process.stderr.write(
        `warning: --password is visible to other users of this machine; prefer --password-stdin or ${PASSWORD_ENV}\n`,
      );
    }
    if (opts.registryCreds !== undefined) process.stderr.write(REGISTRY_CREDS_ARGV_WARNING);
    if (opts.passwordStdin) given.password = await readStdin('the registry password');
    if (opts.passwordRevision !== undefined)
      given.passwordRevision = opts.passwordRevision as number;
    if (opts.clusterPasswordRevision !== undefined)
      given.clusterPasswordRevision = opts.clusterPasswordRevision as number;
    const options = resolveBootstrapOptions(given as BootstrapOciOptions);
    const revisions = (plan: SyncPlan) => secretRevisions(options, plan, opts);

    switch (opts.phase) {
      case 'install': {
        const artifact = opts.artifact ? readOciLayout(opts.artifact as string) : undefined;
        await runInstallPhase(kubeClientFor(options), options, { logger, artifact });
        return;
      }
      // The construct's provider rendering: phase 1 and the cluster artifact; Terraform
      // itself applies the Secrets and the sync objects.
      case 'pre-apply': {
        const artifact = opts.artifact ? readOciLayout(opts.artifact as string) : undefined;
        const { digest } = await runInstallPhase(kubeClientFor(options), options, {
          logger,
          artifact,
        });
        await ensureClusterArtifact(options, { plan: planSync(options, digest), logger });
        return;
      }
      case 'secrets':
        await runSecretsPhase(kubeClientFor(options), options, {
          plan: planSync(options, requireDigest(opts)),
          logger,
        });
        return;
      case 'sync': {
        const plan = planSync(options, requireDigest(opts));
        await runSyncPhase(kubeClientFor(options), options, {
          plan,
          logger,
          revisions: revisions(plan),
        });
        logger.success(`Flux follows ${options.url} at ${plan.componentsRevision}`);
        return;
      }
      // The construct's provider rendering: Terraform applied the sync objects; wait for
      // Flux to pull with the Secrets, saying which revision to raise when it cannot.
      case 'wait': {
        const plan = planSync(options, requireDigest(opts));
        await waitForSync(kubeClientFor(options), options, {
          plan,
          logger,
          revisions: revisions(plan),
        });
        logger.success(`Flux follows ${options.url}`);
        return;
      }
      default: {
        const result = await bootstrapOci(options, logger);
        logger.success(
          `bootstrap finished: Flux follows ${options.url} at ${result.componentsRevision}`,
        );
      }
    }
  });
}

function requireDigest(opts: Record<string, unknown>): string {
  const digest = opts.componentsDigest as string | undefined;
  if (!digest || !/^sha256:[a-f0-9]{64}$/.test(digest)) {
    throw new UserError(
      `--phase=${String(opts.phase)} needs --components-digest=sha256:<64 hex digits> (got '${digest ?? ''}'): the digest the install step pushed`,
    );
  }
  return digest;
}

/**
 * Which revision prop rewrites which Secret, for the construct's steps (they pass the
 * revisions); empty for a user of the command, who re-runs it instead.
 */
function secretRevisions(
  options: ResolvedBootstrapOptions,
  plan: SyncPlan,
  opts: Record<string, unknown>,
): Map<string, SecretRevision> {
  const revisions = new Map<string, SecretRevision>();
  const password = opts.passwordRevision !== undefined;
  const clusterPassword = opts.clusterPasswordRevision !== undefined;
  if (plan.componentsSecret && password) {
    revisions.set(plan.componentsSecret, {
      prop: 'passwordRevision',
      revision: options.passwordRevision,
    });
  }
  // The construct names the cluster revision when it has a cluster password of its own;
  // without one, the cluster registry's Secret holds the components password.
  if (plan.clusterSecret && (clusterPassword || password)) {
    revisions.set(
      plan.clusterSecret,
      clusterPassword
        ? { prop: 'clusterPasswordRevision', revision: options.clusterPasswordRevision }
        : { prop: 'passwordRevision', revision: options.passwordRevision },
    );
  }
  return revisions;
}
