import { KubeClient, type KubeClientOptions } from './client.js';
import { loadKubeConfig, type KubeConfigOptions } from './kubeconfig.js';

export interface ClusterConnectionOptions extends KubeConfigOptions, KubeClientOptions {}

/** A client for the cluster the kubeconfig (or the in-cluster service account) points at. */
export function connectToCluster(options: ClusterConnectionOptions = {}): KubeClient {
  return new KubeClient(loadKubeConfig(options), options);
}
