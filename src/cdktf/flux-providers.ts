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
  return new KubernetesProvider(stack, 'flux-kubernetes', {
    alias: ALIAS,
    ...connection.provider,
  });
}

export function fluxNullProvider(stack: TerraformStack): NullProvider {
  const existing = stack.node.tryFindChild('flux-null');
  if (existing) return existing as NullProvider;
  return new NullProvider(stack, 'flux-null', { alias: ALIAS });
}
