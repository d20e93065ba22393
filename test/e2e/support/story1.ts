// RFC story 1 on the harness, the same for the end-to-end tests and the benchmarks: the
// components and the fleet artifacts in one TLS registry with basic auth, the two
// controllers the harness runs, Flux 2.9.5's real component set.
import { join } from 'node:path';
import type { TestRegistry, TestUser } from '../../support/registry.js';
import type { Cluster } from '../harness/cluster.js';
import { repoRoot } from '../harness/tools.js';

export const STORY1_MANIFESTS = join(repoRoot, 'test/fixtures/flux-components');

/** `flux-oci bootstrap oci` arguments; the password goes to standard input. */
export function story1BootstrapArgs(
  registry: TestRegistry,
  cluster: Cluster,
  user: TestUser,
  componentsTag = 'latest',
): string[] {
  return [
    'bootstrap',
    'oci',
    `--url=oci://${registry.host}/flux/components:${componentsTag}`,
    `--username=${user.username}`,
    '--password-stdin',
    `--cluster-url=oci://${registry.host}/fleet/cluster:production`,
    '--cluster-path=production',
    `--ca-file=${registry.caFile}`,
    `--manifests=${STORY1_MANIFESTS}`,
    '--version=v2.9.5',
    '--components=source-controller,kustomize-controller',
    `--kubeconfig=${cluster.kubeconfigPath}`,
    '--timeout=3m',
  ];
}

/**
 * The environment that points the story 1 example app (stacks/story1-basic-auth.ts) at the
 * harness, with `binary` (tofu or terraform) as cdktf's engine.
 */
export function story1AppEnv(
  registry: TestRegistry,
  cluster: Cluster,
  user: TestUser,
  binary: string,
  terraformEnv: Record<string, string>,
): NodeJS.ProcessEnv {
  return {
    ...terraformEnv,
    TERRAFORM_BINARY_NAME: binary,
    TF_VAR_oci_password: user.password,
    TF_VAR_oci_cluster_password: user.password,
    FLUX_OCI_URL: `oci://${registry.host}/flux/components:production`,
    FLUX_OCI_USERNAME: user.username,
    FLUX_OCI_CLUSTER_URL: `oci://${registry.host}/fleet/cluster:production`,
    FLUX_OCI_CLUSTER_USERNAME: user.username,
    FLUX_OCI_COMPONENTS: 'source-controller,kustomize-controller',
    FLUX_OCI_VERSION: 'v2.9.5',
    FLUX_OCI_CA_FILE: registry.caFile,
    FLUX_OCI_KUBECONFIG: cluster.kubeconfigPath,
    FLUX_MANIFESTS: STORY1_MANIFESTS,
  };
}
