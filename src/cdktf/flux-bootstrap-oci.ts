import { AssetType, Fn, TerraformAsset, TerraformStack, Token } from 'cdktf';
import { Construct } from 'constructs';
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { homedir } from 'node:os';
import { join, resolve } from 'node:path';
import { optionsToArgs } from '../bootstrap/option-args.js';
import type { BootstrapOciOptions } from '../bootstrap/options.js';
import {
  resolveBootstrapOptions,
  type ResolvedBootstrapOptions,
} from '../bootstrap/resolve-options.js';
import { planSync, type SyncPlan } from '../bootstrap/sync-plan.js';
import { buildComponentsLayout, type ComponentsLayout } from './components-layout.js';
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
      (v) => Token.isUnresolved(v),
    ));
    const layout = (this.componentsLayout = buildComponentsLayout(this, options));
    const plan = (this.syncPlan = planSync(options, layout.digest));
    const artifact = new TerraformAsset(this, 'components-artifact', {
      path: layout.dir,
      type: AssetType.DIRECTORY,
    });
    const password = secretInput(stack, 'password', options.password);
    const clusterPassword = secretInput(stack, 'clusterPassword', options.clusterPassword);
    const kubeconfig = `--kubeconfig=${kubeconfigPath(options)}`;

    const install = new FluxOciStep(this, 'install', {
      args: [
        'bootstrap',
        'oci',
        '--phase=install',
        `--artifact=${artifact.path}`,
        kubeconfig,
        ...optionsToArgs(options, CONNECTION_KEYS),
        ...passwordEnvArgs(password),
      ],
      triggers: {
        digest: layout.digest,
        url: options.url,
        namespace: options.namespace,
      },
    });

    // A rotated password or CA runs this step alone: no push, no tag move (RFC story 5).
    const secretsTriggers = {
      ...revisionOf('password', password),
      ...revisionOf('cluster_password', clusterPassword),
      ...(options.caFile ? { ca: sha256(readFileSync(options.caFile)) } : {}),
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
              kubeconfig,
              ...optionsToArgs(options, SYNC_KEYS),
              ...passwordEnvArgs(password, clusterPassword),
            ],
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
        kubeconfig,
        ...optionsToArgs(options, SYNC_KEYS),
        ...passwordEnvArgs(password, clusterPassword),
      ],
      triggers: { digest: layout.digest, objects: plan.objects },
      dependsOn: secrets ? [install, secrets] : [install],
    });

    // Destroyed first (it depends on the rest). Its only trigger is the namespace, so a new
    // artifact never replaces it (a replacement runs the uninstall); the cluster connection
    // is kept as input, which the destroy-time command reads from `self`.
    new FluxOciStep(this, 'uninstall', {
      args: [
        'uninstall',
        '--silent',
        `--namespace=${options.namespace}`,
        '--kubeconfig=${self.output.kubeconfig}',
        ...(options.context ? ['--context=${self.output.context}'] : []),
        `--keep-namespace=${options.keepNamespace}`,
      ],
      input: {
        kubeconfig: kubeconfigPath(options),
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

function absolute(path: string | undefined): string | undefined {
  return path === undefined || Token.isUnresolved(path) ? path : resolve(path);
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

/**
 * 32 bits of the password's hash: enough to run the step again when it rotates (RFC story
 * 5), too few to confirm a guessed password from the state. Terraform keeps it sensitive.
 */
function revisionOf(key: string, input?: SensitiveInput): Record<string, string> {
  return input ? { [`${key}_revision`]: Fn.substr(Fn.sha256(input.value), 0, 8) } : {};
}

function sha256(bytes: Uint8Array): string {
  return createHash('sha256').update(bytes).digest('hex');
}
