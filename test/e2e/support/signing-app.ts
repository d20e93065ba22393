// A CDKTF app for test/e2e/cdktf-signing.test.ts: RFC story 1 with the rendering
// FLUX_OCI_RENDERING (default providers),
// the components and the empty cluster artifact signed with a cosign key from the deploy's
// environment (env://FLUX_OCI_TEST_COSIGN_KEY, its password the sensitive variable
// cosign_password), and both OCIRepositories verifying with its public key (FLUX_OCI_COSIGN_PUB).
import { App, TerraformStack } from 'cdktf';
import { FluxBootstrapOci } from '../../../src/index.js';

const env = process.env;
const app = new App();
const stack = new TerraformStack(app, 'flux');
new FluxBootstrapOci(stack, 'flux', {
  rendering: env.FLUX_OCI_RENDERING === 'terraform-data' ? 'terraform-data' : 'providers',
  url: env.FLUX_OCI_URL ?? '',
  username: env.FLUX_OCI_USERNAME,
  password: FluxBootstrapOci.sensitiveVariable('oci_password'),
  clusterUrl: env.FLUX_OCI_CLUSTER_URL,
  clusterUsername: env.FLUX_OCI_CLUSTER_USERNAME,
  clusterPassword: FluxBootstrapOci.sensitiveVariable('oci_cluster_password'),
  clusterPath: 'clusters/production',
  components: env.FLUX_OCI_COMPONENTS?.split(','),
  version: env.FLUX_OCI_VERSION,
  caFile: env.FLUX_OCI_CA_FILE,
  kubeconfig: env.FLUX_OCI_KUBECONFIG,
  cosignKey: 'env://FLUX_OCI_TEST_COSIGN_KEY',
  cosignPassword: FluxBootstrapOci.sensitiveVariable('cosign_password'),
  verifyPublicKey: env.FLUX_OCI_COSIGN_PUB,
  clusterVerifyPublicKey: env.FLUX_OCI_COSIGN_PUB,
});
app.synth();
