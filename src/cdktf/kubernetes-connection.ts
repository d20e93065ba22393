import type { Construct } from 'constructs';
import { KubernetesProvider } from '@cdktf/provider-kubernetes/lib/provider/index.js';
import { NullProvider } from '@cdktf/provider-null/lib/provider/index.js';
import { homedir } from 'node:os';
import { join } from 'node:path';
import type { ResolvedBootstrapOptions } from '../bootstrap/resolve-options.js';

/** The kubeconfig file the providers and the pre-apply steps use. */
export function kubeconfigPath(options: ResolvedBootstrapOptions): string {
  return (
    options.kubeconfig ??
    process.env.KUBECONFIG?.split(':')[0] ??
    join(homedir(), '.kube', 'config')
  );
}

/** Configures the kubernetes and null providers of one stack for the target cluster. */
export function addProviders(stack: Construct, options: ResolvedBootstrapOptions): void {
  new KubernetesProvider(stack, 'kubernetes', {
    configPath: kubeconfigPath(options),
    configContext: options.context,
  });
  new NullProvider(stack, 'null');
}
