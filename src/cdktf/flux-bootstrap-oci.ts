import { AssetType, TerraformAsset, TerraformStack, type ITerraformDependable } from 'cdktf';
import { Construct } from 'constructs';
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import type { BootstrapOciOptions } from '../bootstrap/options/options.js';
import { describeOption } from '../bootstrap/options/option-flags.js';
import {
  resolveBootstrapOptions,
  type ResolvedBootstrapOptions,
} from '../bootstrap/options/resolve-options.js';
import { planSync, type SyncPlan } from '../bootstrap/sync-plan.js';
import { UserError } from '../errors.js';
import { reportUserErrorsAsOneLine } from './synth-errors.js';
import { buildComponentsLayout, type ComponentsLayout } from './components-layout.js';
import type { ClusterConnection } from './cluster-connection.js';
import { isDeployTime } from './deploy-time.js';
import { renderProviders } from './providers-rendering.js';
import { renderTerraformData } from './terraform-data-rendering.js';
import { copyCaFile } from './rendering-input.js';
import { signingInput } from './signing-input.js';
import {
  declareSensitiveVariable,
  sensitiveVariable,
  type SensitiveInput,
} from './sensitive-variable.js';

/** How the construct renders the bootstrap in Terraform. */
export type FluxBootstrapOciRendering = 'providers' | 'terraform-data';

/** How the construct renders the bootstrap, besides the `flux bootstrap oci` options. */
export interface FluxBootstrapOciRenderingProps {
  /**
   * `'providers'`: a pre-apply `null_resource` and write-only `kubernetes_secret_v1`
   * Secrets in this stack, the OCIRepositories and Kustomizations as `kubernetes_manifest`
   * in the sync stack (`syncStack`), so plans show them and drift is restored.
   * `'terraform-data'`: four built-in `terraform_data` steps in this stack and no provider,
   * for clusters that cannot have one configured (and Terraform before 1.11).
   * @default 'providers'
   */
  readonly rendering?: FluxBootstrapOciRendering;
  /**
   * With `rendering: 'providers'`: the name of the stack the construct adds to the App
   * for the custom resources; it depends on this stack, and `cdktf deploy` of both
   * bootstraps a fresh cluster.
   * @default - `<this stack's name>-sync`
   */
  readonly syncStackName?: string;
  /**
   * With `rendering: 'providers'`: how Terraform's kubernetes provider and the pre-apply
   * step reach the cluster.
   * @default - the `kubeconfig` and `context` props
   */
  readonly connection?: ClusterConnection;
}

/**
 * The props are the `flux bootstrap oci` options. Passwords are references to sensitive
 * Terraform variables (`FluxBootstrapOci.sensitiveVariable('oci_password')`), never
 * literals.
 */
export type FluxBootstrapOciProps = BootstrapOciOptions & FluxBootstrapOciRenderingProps;

/**
 * Flux on a Kubernetes cluster with an OCI registry as the source of truth, as
 * `flux bootstrap oci` does it. The components artifact is built at synth time, so its
 * digest is in the plan; only a change of it moves the tag, so a tag moved by CI (RFC
 * story 4) is never moved back, and a second deploy changes nothing.
 *
 * By default (`rendering: 'providers'`) in this stack: a pre-apply `null_resource` (phase 1
 * and the empty cluster artifact; re-run for a new artifact, URL or cluster), the registry
 * Secrets as write-only `kubernetes_secret_v1`, the uninstall on destroy; in `syncStack`,
 * which depends on this stack (the custom resources need Flux's CRDs at plan time,
 * hashicorp/terraform-provider-kubernetes#1367): the OCIRepositories and Kustomizations as
 * `kubernetes_manifest`, waited for until Ready, restored when they drift.
 *
 * With `rendering: 'terraform-data'`: four built-in `terraform_data` steps running
 * `flux-oci` (install, secrets, sync, uninstall) in this stack, no provider.
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

  /**
   * With `rendering: 'providers'`: the stack with the OCIRepositories and Kustomizations,
   * deployed after this construct's stack.
   */
  readonly syncStack?: TerraformStack;

  /**
   * What completes once Flux is synced (the flux-system and flux-components objects Ready):
   * give it as `dependsOn` so a workload waits for Flux. With `rendering: 'terraform-data'`
   * the sync step in this stack. With `'providers'` the OCIRepositories and Kustomizations
   * in `syncStack` and its `wait` step, for resources of `syncStack` only: a resource of
   * another stack waits through its stack instead (`stack.addDependency(flux.syncStack!)`),
   * and one in this stack cannot wait for them (it would be deployed first). Given there,
   * the synth ends with one line saying so.
   */
  readonly syncedResources: ITerraformDependable[];

  constructor(scope: Construct, id: string, props: FluxBootstrapOciProps) {
    super(scope, id);
    reportUserErrorsAsOneLine();
    const stack = TerraformStack.of(this);
    const { rendering = 'providers', syncStackName, connection, ...bootstrap } = props;
    if (rendering !== 'providers' && rendering !== 'terraform-data') {
      throw new UserError(
        `rendering '${String(rendering)}' is not a rendering: give 'providers' or 'terraform-data'`,
      );
    }
    // The steps run in the stack's output directory: files they read need absolute paths.
    const options = (this.options = resolveBootstrapOptions(
      {
        ...bootstrap,
        caFile: absolute(bootstrap.caFile),
        kubeconfig: absolute(bootstrap.kubeconfig),
      },
      isDeployTime,
    ));
    const ca = options.caFile === undefined ? undefined : readCaFile(options.caFile);
    const layout = (this.componentsLayout = buildComponentsLayout(this, options));
    const plan = (this.syncPlan = planSync(options, layout.digest));
    const artifact = new TerraformAsset(this, 'components-artifact', {
      path: layout.dir,
      type: AssetType.DIRECTORY,
    });
    const input = {
      stack,
      caFilePath: copyCaFile(this, options.caFile),
      options,
      layout,
      plan,
      artifact,
      password: secretInput(stack, 'password', options.password),
      clusterPassword: secretInput(stack, 'clusterPassword', options.clusterPassword),
      registryCreds:
        options.registryCreds === undefined
          ? undefined
          : declareSensitiveVariable(stack, 'registryCreds', options.registryCreds, {
              pattern: '^[^:]+:[^:]+$',
              description: "'user:password' with exactly one ':'",
              example: 'registry_creds',
            }),
      ca,
      signing: signingInput(this, stack, options, plan),
    };
    if (rendering === 'providers') {
      const rendered = renderProviders(this, input, {
        syncStackName: syncStackName ?? `${stack.node.id}-sync`,
        connection,
      });
      this.syncStack = rendered.syncStack;
      this.syncedResources = rendered.syncedResources;
    } else {
      this.syncedResources = [renderTerraformData(this, input).sync];
    }
  }
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
      `${describeOption('caFile')} ${path} ${reason}: give the path of the registries' PEM CA bundle, ` +
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
