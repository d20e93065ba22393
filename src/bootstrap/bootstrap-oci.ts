import { KubeClient } from '../kube/client.js';
import { loadKubeConfig } from '../kube/kubeconfig.js';
import type { ProgressLogger } from './progress-logger.js';
import { runInstallPhase } from './install-phase.js';
import type { ResolvedBootstrapOptions } from './options/resolve-options.js';
import { runSecretsPhase } from './secrets-phase.js';
import { runSyncPhase } from './sync-phase.js';
import { planSync } from './sync-plan.js';

export interface BootstrapResult {
  /** `sha256:` of the components artifact Flux follows. */
  readonly componentsDigest: string;
  /** `<tag>@<digest>`: the revision `flux-components` reported Ready. */
  readonly componentsRevision: string;
}

/** A client for the cluster the options name (kubeconfig and context). */
export function kubeClientFor(options: ResolvedBootstrapOptions): KubeClient {
  return new KubeClient(
    loadKubeConfig({ kubeconfig: options.kubeconfig, context: options.context }),
  );
}

/**
 * `flux bootstrap oci` as the RFC describes it: phase 1 (components artifact pushed by
 * digest and tagged, components applied), the registry Secrets, then phase 2 (cluster
 * artifact ensured, sync objects applied, readiness at the pushed revision).
 */
export async function bootstrapOci(
  options: ResolvedBootstrapOptions,
  logger: ProgressLogger,
  env: NodeJS.ProcessEnv = process.env,
): Promise<BootstrapResult> {
  const kube = kubeClientFor(options);
  const install = await runInstallPhase(kube, options, { logger, env });
  const plan = planSync(options, install.digest);
  await runSecretsPhase(kube, options, { plan, logger, env });
  await runSyncPhase(kube, options, { plan, logger, env });
  return { componentsDigest: install.digest, componentsRevision: plan.componentsRevision };
}
