import { createHash } from 'node:crypto';
import type { Construct } from 'constructs';
import { envFlag } from '../bootstrap/options/option-flags.js';
import { stepEnvName } from '../bootstrap/options/option-args.js';
import { FluxOciStep } from './flux-oci-step.js';
import {
  CONNECTION_KEYS,
  SYNC_KEYS,
  passwordEnvArgs,
  revisionArgs,
  stepArgs,
  type RenderingInput,
} from './rendering-input.js';

/**
 * The provider-free rendering: four built-in `terraform_data` steps running `flux-oci` in
 * the user's stack (install, secrets, sync, uninstall on destroy). No provider is needed,
 * so Flux's custom resources need no CRD at plan time.
 */
export function renderTerraformData(
  scope: Construct,
  input: RenderingInput,
): { readonly sync: FluxOciStep } {
  const {
    stack,
    options,
    layout,
    plan,
    artifact,
    password,
    clusterPassword,
    registryCreds,
    ca,
    signing,
  } = input;
  // Without a kubeconfig, flux-oci uses the deploying machine's (KUBECONFIG, ~/.kube/config).
  // A refused downgrade fails the step, which runs again at the next deploy.
  const installArgs = stepArgs(input, [...CONNECTION_KEYS, 'allowDowngrade', 'force']);
  const syncArgs = stepArgs(input, SYNC_KEYS);

  const install = new FluxOciStep(scope, 'install', {
    launcherFrom: stack,
    args: [
      'bootstrap',
      'oci',
      '--phase=install',
      `--artifact=${artifact.path}`,
      ...installArgs.args,
      ...passwordEnvArgs(password),
      ...signing.signArgs,
    ],
    environment: installArgs.environment,
    triggers: {
      digest: layout.digest,
      url: options.url,
      namespace: options.namespace,
      ...signing.triggers,
    },
  });

  // The secrets and sync steps run the same command, each its own phase.
  const phaseArgs = (phase: 'secrets' | 'sync'): string[] => [
    'bootstrap',
    'oci',
    `--phase=${phase}`,
    `--components-digest=${layout.digest}`,
    ...syncArgs.args,
    ...passwordEnvArgs(password, clusterPassword),
    ...signing.signArgs,
    ...signing.verifyArgs,
    ...(phase === 'sync' ? revisionArgs(options, password, clusterPassword) : []),
  ];

  // A password rotation (its revision raised) or a new CA runs this step alone: no push,
  // no tag move (RFC story 5). Nothing derived from a password is kept: a hash in the
  // state would confirm a guessed password.
  const secretsTriggers = {
    ...(password ? { password_revision: options.passwordRevision } : {}),
    ...(clusterPassword ? { cluster_password_revision: options.clusterPasswordRevision } : {}),
    ...(registryCreds ? { registry_creds_revision: options.registryCredsRevision } : {}),
    ...(ca ? { ca: sha256(ca) } : {}),
    ...(signing.secrets.length > 0
      ? { cosign_pub: sha256(Buffer.from(signing.secrets.map((s) => s.pem).join(''))) }
      : {}),
  };
  // The image pull Secret (as flux install --registry-creds): the variable holding
  // user:password is read from Terraform's environment, for the images of `registry`.
  const pullSecretArgs = registryCreds
    ? [
        ...stepArgs(input, ['imagePullSecret', 'registry']).args,
        `${envFlag('registryCreds')}=${registryCreds.envName}`,
      ]
    : [];
  const secrets =
    Object.keys(secretsTriggers).length === 0
      ? undefined
      : new FluxOciStep(scope, 'secrets', {
          launcherFrom: stack,
          args: [...phaseArgs('secrets'), ...pullSecretArgs],
          environment: syncArgs.environment,
          triggers: {
            ...secretsTriggers,
            secrets: [
              plan.componentsSecret,
              plan.clusterSecret,
              plan.caSecret,
              plan.componentsVerifySecret,
              plan.clusterVerifySecret,
              registryCreds ? options.imagePullSecret : undefined,
            ].filter(Boolean),
            ...(registryCreds ? { registry: options.registry } : {}),
            namespace: options.namespace,
          },
          dependsOn: [install],
        });

  // The wait expects the revision the tag points at when it runs, so a tag moved by CI
  // does not fail a later deploy that changes only the sync objects.
  const sync = new FluxOciStep(scope, 'sync', {
    launcherFrom: stack,
    args: phaseArgs('sync'),
    environment: syncArgs.environment,
    triggers: { digest: layout.digest, objects: plan.objects },
    dependsOn: secrets ? [install, secrets] : [install],
  });

  // Destroyed first (it depends on the rest). Its only trigger is the namespace, so a new
  // artifact never replaces it (a replacement runs the uninstall); the cluster connection
  // is kept as input, which the destroy-time command reads from `self` in its environment.
  const kept = {
    ...(options.kubeconfig !== undefined ? { kubeconfig: options.kubeconfig } : {}),
    ...(options.context !== undefined ? { context: options.context } : {}),
  };
  const keys = Object.keys(kept) as ('kubeconfig' | 'context')[];
  new FluxOciStep(scope, 'uninstall', {
    launcherFrom: stack,
    args: [
      'uninstall',
      '--silent',
      `--namespace=${options.namespace}`,
      ...keys.map((key) => `${envFlag(key)}=${stepEnvName(key)}`),
      `--keep-namespace=${options.keepNamespace}`,
    ],
    environment: Object.fromEntries(
      keys.map((key) => [stepEnvName(key), `\${self.output.${key}}`]),
    ),
    input: kept,
    triggers: { namespace: options.namespace },
    dependsOn: secrets ? [install, secrets, sync] : [install, sync],
    onDestroy: true,
  });
  return { sync };
}

function sha256(bytes: Uint8Array): string {
  return createHash('sha256').update(bytes).digest('hex');
}
