import { Token } from 'cdktf';
import { Construct } from 'constructs';
import type { BootstrapOciOptions } from '../bootstrap/options.js';
import {
  resolveBootstrapOptions,
  type ResolvedBootstrapOptions,
} from '../bootstrap/resolve-options.js';
import { FluxInstallStack } from './flux-install-stack.js';
import { FluxSyncStack } from './flux-sync-stack.js';
import { sensitiveVariable } from './sensitive-variable.js';

/**
 * The props are the `flux bootstrap oci` options. Passwords are references to sensitive
 * Terraform variables (`FluxBootstrapOci.sensitiveVariable('oci_password')`), never
 * literals.
 */
export type FluxBootstrapOciProps = BootstrapOciOptions;

/**
 * Flux on a Kubernetes cluster with an OCI registry as the source of truth, as
 * `flux bootstrap oci` does it, in two stacks (`<id>-install` and `<id>-sync`, the second
 * depending on the first) so that one `cdktf deploy` bootstraps a fresh cluster: the
 * kubernetes provider can plan Flux's custom resources only once their CRDs exist.
 *
 * Create it directly under the App.
 */
export class FluxBootstrapOci extends Construct {
  /** A reference to a sensitive Terraform variable, set in the pipeline with `TF_VAR_<name>`. */
  static sensitiveVariable(name: string): string {
    return sensitiveVariable(name);
  }

  /** Phase 1: the components artifact, its push, the components and the registry Secret. */
  readonly installStack: FluxInstallStack;
  /** Phase 2: OCIRepositories, Kustomizations, their Secrets and the readiness wait. */
  readonly syncStack: FluxSyncStack;
  /** The options with their defaults, as the stacks use them. */
  readonly options: ResolvedBootstrapOptions;

  constructor(scope: Construct, id: string, props: FluxBootstrapOciProps) {
    super(scope, id);
    this.options = resolveBootstrapOptions(props, (value) => Token.isUnresolved(value));
    this.installStack = new FluxInstallStack(scope, `${id}-install`, this.options);
    this.syncStack = new FluxSyncStack(
      scope,
      `${id}-sync`,
      this.options,
      this.installStack.componentsDigest,
    );
    this.syncStack.addDependency(this.installStack);
  }
}
