// RFC story 1: Flux bootstrapped from a registry with basic auth, with separate credentials
// for the Flux components and for the fleet (cluster state) artifacts.
//
//   export TF_VAR_oci_password=...           # components registry password
//   export TF_VAR_oci_cluster_password=...   # fleet registry password
//   npx cdktf deploy
//
// After rotating a password, raise its revision (FLUX_OCI_PASSWORD_REVISION=2, or the
// number in the code) so the next deploy rewrites the cluster's Secret (RFC story 5).
//
// The FLUX_OCI_* variables point the same app at another registry and cluster (the
// end-to-end tests use them).
import { App, TerraformStack } from 'cdktf';
import { FluxBootstrapOci } from '../src/index.js';

const env = process.env;
const app = new App();
const stack = new TerraformStack(app, 'flux');
new FluxBootstrapOci(stack, 'flux', {
  // One stack, no provider (stacks/story1-providers.ts: the default, real resources).
  rendering: 'terraform-data',
  url: env.FLUX_OCI_URL ?? 'oci://ghcr.io/acme/flux-manifests:production',
  username: env.FLUX_OCI_USERNAME ?? 'flux',
  password: FluxBootstrapOci.sensitiveVariable('oci_password'),
  passwordRevision: Number(env.FLUX_OCI_PASSWORD_REVISION ?? 1),
  clusterUrl: env.FLUX_OCI_CLUSTER_URL ?? 'oci://ghcr.io/acme/fleet:production',
  clusterUsername: env.FLUX_OCI_CLUSTER_USERNAME ?? 'fleet-reader',
  clusterPassword: FluxBootstrapOci.sensitiveVariable('oci_cluster_password'),
  clusterPasswordRevision: Number(env.FLUX_OCI_CLUSTER_PASSWORD_REVISION ?? 1),
  clusterPath: 'clusters/production',
  components: env.FLUX_OCI_COMPONENTS?.split(','),
  version: env.FLUX_OCI_VERSION,
  allowDowngrade: env.FLUX_OCI_ALLOW_DOWNGRADE === 'true',
  caFile: env.FLUX_OCI_CA_FILE,
  kubeconfig: env.FLUX_OCI_KUBECONFIG,
  keepNamespace: env.FLUX_OCI_KEEP_NAMESPACE === 'true',
  // Controller images from a private registry (flux install --registry-creds): the
  // Deployments pull with the image pull Secret, written from TF_VAR_registry_creds
  // (user:password); raise FLUX_OCI_REGISTRY_CREDS_REVISION after rotating it.
  ...(env.FLUX_OCI_IMAGE_PULL_SECRET
    ? {
        imagePullSecret: env.FLUX_OCI_IMAGE_PULL_SECRET,
        registry: env.FLUX_OCI_REGISTRY,
        registryCreds: FluxBootstrapOci.sensitiveVariable('registry_creds'),
        registryCredsRevision: Number(env.FLUX_OCI_REGISTRY_CREDS_REVISION ?? 1),
      }
    : {}),
});
app.synth();
