import type { ResolvedBootstrapOptions } from '../bootstrap/resolve-options.js';

/**
 * How Terraform and the pre-apply step reach the cluster, as the kubernetes provider takes
 * it. Values may be other resources' outputs (a cluster module's host, token and CA).
 */
export interface ClusterConnection {
  /**
   * The kubeconfig file.
   * @default - the `kubeconfig` prop, else `~/.kube/config` of the machine that deploys
   */
  readonly configPath?: string;
  /**
   * The kubeconfig context.
   * @default - the `context` prop, else the kubeconfig's current context
   */
  readonly configContext?: string;
}

/** The same connection for the kubernetes provider and for the `flux-oci` steps. */
export interface ResolvedConnection {
  readonly provider: { readonly configPath: string; readonly configContext?: string };
  /** `--kubeconfig` and `--context` of the steps: deploy-time values go in their environment. */
  readonly step: { readonly kubeconfig: string; readonly context?: string };
}

/**
 * The default is the deploying machine's `~/.kube/config`, expanded by Terraform at deploy
 * time: the synthesizing machine's home is named nowhere.
 */
export const DEFAULT_KUBECONFIG = '${pathexpand("~/.kube/config")}';

export function clusterConnectionFor(
  options: ResolvedBootstrapOptions,
  connection: ClusterConnection | undefined,
): ResolvedConnection {
  const kubeconfig = connection?.configPath ?? options.kubeconfig ?? DEFAULT_KUBECONFIG;
  const context = connection?.configContext ?? options.context;
  return {
    provider: {
      configPath: kubeconfig,
      ...(context !== undefined ? { configContext: context } : {}),
    },
    step: { kubeconfig, ...(context !== undefined ? { context } : {}) },
  };
}
