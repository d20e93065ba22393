import { KubernetesProvider } from '@cdktf/provider-kubernetes/lib/provider/index.js';
import { NullProvider } from '@cdktf/provider-null/lib/provider/index.js';
import type { TerraformStack } from 'cdktf';
import type { ResolvedConnection } from './cluster-connection.js';

/**
 * The providers carry the alias `flux`, so a stack may configure its own default kubernetes
 * or null provider beside them.
 */
const ALIAS = 'flux';

/** The stack's kubernetes provider for Flux, configured once with the cluster connection. */
export function fluxKubernetesProvider(
  stack: TerraformStack,
  connection: ResolvedConnection,
): KubernetesProvider {
  const existing = stack.node.tryFindChild('flux-kubernetes');
  if (existing) return existing as KubernetesProvider;
  const { exec, ...settings } = connection.provider;
  const provider = new KubernetesProvider(stack, 'flux-kubernetes', { alias: ALIAS, ...settings });
  if (exec) {
    // Written as given: cdktf would snake-case the environment's names (AWS_PROFILE).
    provider.addOverride('exec', [
      {
        api_version: exec.apiVersion,
        command: exec.command,
        ...(exec.args ? { args: exec.args } : {}),
        ...(exec.env ? { env: exec.env } : {}),
      },
    ]);
  }
  return provider;
}

export function fluxNullProvider(stack: TerraformStack): NullProvider {
  const existing = stack.node.tryFindChild('flux-null');
  if (existing) return existing as NullProvider;
  return new NullProvider(stack, 'flux-null', { alias: ALIAS });
}
