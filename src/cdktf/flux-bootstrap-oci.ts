import { AssetType, TerraformAsset, TerraformStack, Token } from 'cdktf';
import { Construct } from 'constructs';
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { homedir } from 'node:os';
import { join, resolve } from 'node:path';
import { envFlag } from '../bootstrap/option-flags.js';
import { optionsToStepArgs, stepEnvName, type StepArgs } from '../bootstrap/option-args.js';
import type { BootstrapOciOptions } from '../bootstrap/options.js';
import {
  describe,
  resolveBootstrapOptions,
  type ResolvedBootstrapOptions,
} from '../bootstrap/resolve-options.js';
import { planSync, type SyncPlan } from '../bootstrap/sync-plan.js';
import { UserError } from '../errors.js';
import { buildComponentsLayout, type ComponentsLayout } from './components-layout.js';
import { TERRAFORM_TEMPLATE } from './flux-oci-command.js';
import { FluxOciStep } from './flux-oci-step.js';
import {
  declareSensitiveVariable,
  sensitiveVariable,
  type SensitiveInput,
} from './sensitive-variable.js';

/**
 * The props are the `flux bootstrap oci` options. Passwords are references to sensitive
 * Terraform variables (`FluxBootstrapOci.sensitiveVariable('oci_password')`), never
 * literals.
 */
export type FluxBootstrapOciProps = BootstrapOciOptions;

/** The options every step needs to reach the registry and the cluster. */
const CONNECTION_KEYS = [
  'kubeconfig',
  'url',
  'username',
  'provider',
  'namespace',
  'caFile',
  'allowInsecureHttp',
  'timeout',
  'context',
] as const;
const SYNC_KEYS = [
  ...CONNECTION_KEYS,
  'clusterUrl',
  'clusterUsername',
  'clusterPath',
  'pinByDigest',
  'interval',
  'kustomizationInterval',
  'retryInterval',
] as const;

/**
 * Flux on a Kubernetes cluster with an OCI registry as the source of truth, as
 * `flux bootstrap oci` does it, inside one Terraform stack:
 *
 * - the components artifact is built at synth time, so its digest is in the plan;
 * - phase 1 (`install`): a `flux-oci` step pushes it by digest, moves the tag and applies
 *   the components (CRDs first) unless the `flux-components` Kustomization owns them;
 * - `secrets`: the registry credentials (checked against the registry first) and the CA;
 * - phase 2 (`sync`): a step ensures the cluster artifact, applies the
 *   `flux-components`/`flux-system` OCIRepositories and Kustomizations (shown in the plan),
 *   and waits until Flux reports them Ready at the pushed revision;
 * - on destroy, Flux is uninstalled in its own order.
 *
 * The steps are OpenTofu's and Terraform's built-in `terraform_data`: no provider is
 * needed, so Flux's custom resources need no CRD at plan time and one `cdktf deploy`
 * bootstraps a fresh cluster. A step runs again only when what it depends on changes, so a
 * second deploy changes nothing and a tag moved by CI (RFC story 4) is never moved back.
 */
export class FluxBootstrapOci extends Construct {
  /** A reference to a sensitive Terraform variable, set in the pipeline with `TF_VAR_<name>`. */
  static sensitiveVariable(name: string): string {
    return sensitiveVariable(name);
  }

  /** The options with their defaults, as the steps use them. */
  readonly options: ResolvedBootstrapOptions;
  /** The components artifact built at synth time (shared by the clusters of an app with equal options). */
  readonly componentsLayout: ComponentsLayout;
  /** What phase 2 applies. */
  readonly syncPlan: SyncPlan;

  constructor(scope: Construct, id: string, props: FluxBootstrapOciProps) {
    super(scope, id);
    const stack = TerraformStack.of(this);
    // The steps run in the stack's output directory: files they read need absolute paths.
    const options = (this.options = resolveBootstrapOptions(
      { ...props, caFile: absolute(props.caFile), kubeconfig: absolute(props.kubeconfig) },
      isDeployTime,
    ));
    const ca = options.caFile === undefined ? undefined : readCaFile(options.caFile);
    const layout = (this.componentsLayout = buildComponentsLayout(this, options));
    const plan = (this.syncPlan = planSync(options, layout.digest));
    const artifact = new TerraformAsset(this, 'components-artifact', {
      path: layout.dir,
      type: AssetType.DIRECTORY,
    });
    const password = secretInput(stack, 'password', options.password);
    const clusterPassword = secretInput(stack, 'clusterPassword', options.clusterPassword);
    // What Terraform knows only at deploy time (a kubeconfig written by another resource)
    // reaches the steps in their environment, never in their shell command line.
    const connected = { ...options, kubeconfig: kubeconfigPath(options) };
    const stepArgs = (keys: readonly (keyof BootstrapOciOptions)[]): StepArgs =>
      optionsToStepArgs(connected, keys, isDeployTime);
    // A refused downgrade fails the step, which runs again at the next deploy.
    const installArgs = stepArgs([...CONNECTION_KEYS, 'allowDowngrade']);
    const syncArgs = stepArgs(SYNC_KEYS);

    const install = new FluxOciStep(this, 'install', {
      args: [
        'bootstrap',
        'oci',
        '--phase=install',
        `--artifact=${artifact.path}`,
        ...installArgs.args,
        ...passwordEnvArgs(password),
      ],
      environment: installArgs.environment,
      triggers: {
        digest: layout.digest,
        url: options.url,
        namespace: options.namespace,
      },
    });

    // A password rotation (its revision raised) or a new CA runs this step alone: no push,
    // no tag move (RFC story 5). Nothing derived from a password is kept: a hash in the
    // state would confirm a guessed password.
    const secretsTriggers = {
      ...(password ? { password_revision: options.passwordRevision } : {}),
      ...(clusterPassword ? { cluster_password_revision: options.clusterPasswordRevision } : {}),
      ...(ca ? { ca: sha256(ca) } : {}),
    };
    const secrets =
      Object.keys(secretsTriggers).length === 0
        ? undefined
        : new FluxOciStep(this, 'secrets', {
            args: [
              'bootstrap',
              'oci',
              '--phase=secrets',
              `--components-digest=${layout.digest}`,
              ...syncArgs.args,
              ...passwordEnvArgs(password, clusterPassword),
            ],
            environment: syncArgs.environment,
            triggers: {
              ...secretsTriggers,
              secrets: [plan.componentsSecret, plan.clusterSecret, plan.caSecret].filter(Boolean),
              namespace: options.namespace,
            },
            dependsOn: [install],
          });

    // The wait expects the revision the tag points at when it runs, so a tag moved by CI
    // does not fail a later deploy that changes only the sync objects.
    const sync = new FluxOciStep(this, 'sync', {
      args: [
        'bootstrap',
        'oci',
        '--phase=sync',
        `--components-digest=${layout.digest}`,
        ...syncArgs.args,
        ...passwordEnvArgs(password, clusterPassword),
      ],
      environment: syncArgs.environment,
      triggers: { digest: layout.digest, objects: plan.objects },
      dependsOn: secrets ? [install, secrets] : [install],
    });

    // Destroyed first (it depends on the rest). Its only trigger is the namespace, so a new
    // artifact never replaces it (a replacement runs the uninstall); the cluster connection
    // is kept as input, which the destroy-time command reads from `self` in its environment.
    new FluxOciStep(this, 'uninstall', {
      args: [
        'uninstall',
        '--silent',
        `--namespace=${options.namespace}`,
        `${envFlag('kubeconfig')}=${stepEnvName('kubeconfig')}`,
        ...(options.context ? [`${envFlag('context')}=${stepEnvName('context')}`] : []),
        `--keep-namespace=${options.keepNamespace}`,
      ],
      environment: {
        [stepEnvName('kubeconfig')]: '${self.output.kubeconfig}',
        ...(options.context ? { [stepEnvName('context')]: '${self.output.context}' } : {}),
      },
      input: {
        kubeconfig: connected.kubeconfig,
        ...(options.context ? { context: options.context } : {}),
      },
      triggers: { namespace: options.namespace },
      dependsOn: secrets ? [install, secrets, sync] : [install, sync],
      onDestroy: true,
    });
  }
}

/** The kubeconfig file the steps use: the option (a path or a deploy-time reference), else the local default. */
function kubeconfigPath(options: ResolvedBootstrapOptions): string {
  return (
    options.kubeconfig ??
    process.env.KUBECONFIG?.split(':')[0] ??
    join(homedir(), '.kube', 'config')
  );
}

/** A CDKTF token, or a Terraform reference or template written out: known at deploy time only. */
function isDeployTime(value: string): boolean {
  return Token.isUnresolved(value) || TERRAFORM_TEMPLATE.test(value);
}

function absolute(path: string | undefined): string | undefined {
  return path === undefined || isDeployTime(path) ? path : resolve(path);
}

/** The CA bundle, read at synth time: its hash makes a new CA rewrite the CA Secret. */
function readCaFile(path: string): Buffer {
  try {
    return readFileSync(path);
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    const reason =
      code === 'ENOENT'
        ? 'does not exist'
        : code === 'EISDIR'
          ? 'is a directory'
          : `cannot be read (${code ?? (err as Error).message})`;
    throw new UserError(
      `${describe('caFile')} ${path} ${reason}: give the path of the registries' PEM CA bundle, ` +
        'absolute or relative to the directory cdktf synth runs in',
    );
  }
}

function secretInput(
  stack: TerraformStack,
  prop: string,
  reference: string | undefined,
): SensitiveInput | undefined {
  return reference === undefined ? undefined : declareSensitiveVariable(stack, prop, reference);
}

/** Where the steps find the passwords: the names of the variables, never their values. */
function passwordEnvArgs(password?: SensitiveInput, clusterPassword?: SensitiveInput): string[] {
  return [
    ...(password ? [`--password-env=${password.envName}`] : []),
    ...(clusterPassword ? [`--cluster-password-env=${clusterPassword.envName}`] : []),
  ];
}

function sha256(bytes: Uint8Array): string {
  return createHash('sha256').update(bytes).digest('hex');
}
