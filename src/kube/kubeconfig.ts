import { existsSync } from 'node:fs';
import { homedir } from 'node:os';
import { join } from 'node:path';
import { KubeConfig } from '@kubernetes/client-node';
import { UserError } from '../errors.js';

export interface KubeConfigOptions {
  /**
   * Path of a kubeconfig file.
   * @default the `KUBECONFIG` environment variable, then `~/.kube/config`, then the in-cluster
   * service account
   */
  readonly kubeconfig?: string;
  /**
   * Context to use from the kubeconfig.
   * @default the kubeconfig's current context
   */
  readonly context?: string;
}

/** Loads the cluster connection the way kubectl and flux find it. */
export function loadKubeConfig(options: KubeConfigOptions = {}): KubeConfig {
  const kc = new KubeConfig();
  if (options.kubeconfig) {
    if (!existsSync(options.kubeconfig)) {
      throw new UserError(
        `kubeconfig ${options.kubeconfig} does not exist: pass the path of an existing file`,
      );
    }
    loadOrExplain(() => kc.loadFromFile(options.kubeconfig!), options.kubeconfig);
  } else if (defaultConfigExists()) {
    loadOrExplain(() => kc.loadFromDefault(), process.env.KUBECONFIG ?? '~/.kube/config');
  } else {
    throw new UserError(
      'no cluster connection found: pass --kubeconfig, set KUBECONFIG, create ~/.kube/config, ' +
        'or run inside a cluster',
    );
  }
  if (options.context) {
    if (!kc.getContexts().some((c) => c.name === options.context)) {
      const known = kc.getContexts().map((c) => c.name);
      throw new UserError(
        `context "${options.context}" is not in the kubeconfig; it has: ${known.join(', ') || 'none'}`,
      );
    }
    kc.setCurrentContext(options.context);
  }
  if (!kc.getCurrentCluster()) {
    throw new UserError(
      `the kubeconfig's context "${kc.getCurrentContext()}" names no cluster: pass --context`,
    );
  }
  return kc;
}

function defaultConfigExists(): boolean {
  const fromEnv = process.env.KUBECONFIG?.split(process.platform === 'win32' ? ';' : ':');
  if (fromEnv?.some((file) => file && existsSync(file))) return true;
  if (existsSync(join(homedir(), '.kube', 'config'))) return true;
  // In-cluster: the service account token and the API server's address from the environment.
  return (
    !!process.env.KUBERNETES_SERVICE_HOST &&
    existsSync('/var/run/secrets/kubernetes.io/serviceaccount/token')
  );
}

function loadOrExplain(load: () => void, source: string): void {
  try {
    load();
  } catch (error) {
    throw new UserError(`cannot read kubeconfig ${source}: ${(error as Error).message}`);
  }
}
