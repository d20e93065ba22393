// A CDKTF app for test/e2e/cdktf-providers-connection.test.ts: the provider rendering with
// the cluster reached without a kubeconfig file, by host + token + CA (Terraform variables
// cluster_host, cluster_token (sensitive), cluster_ca) or by host + CA and an exec
// credential plugin (FLUX_OCI_EXEC_COMMAND, its argument FLUX_OCI_EXEC_ARG). The FLUX_OCI_*
// variables point it at the harness, as for stacks/story1-providers.ts.
import { App, TerraformStack, TerraformVariable } from 'cdktf';
import { FluxBootstrapOci } from '../../../src/index.js';

const env = process.env;
const app = new App();
const stack = new TerraformStack(app, 'flux');
const variable = (name: string, sensitive = false) =>
  new TerraformVariable(stack, name, { type: 'string', sensitive }).stringValue;
const host = variable('cluster_host');
const clusterCaCertificate = variable('cluster_ca');
new FluxBootstrapOci(stack, 'flux', {
  rendering: 'providers',
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
  connection:
    env.FLUX_OCI_CONNECTION === 'exec'
      ? {
          host,
          clusterCaCertificate,
          exec: {
            apiVersion: 'client.authentication.k8s.io/v1',
            command: env.FLUX_OCI_EXEC_COMMAND ?? '',
            args: [env.FLUX_OCI_EXEC_ARG ?? ''],
            env: { FLUX_OCI_EXEC_MARK: 'from-exec-env' },
          },
        }
      : { host, clusterCaCertificate, token: variable('cluster_token', true) },
});
app.synth();
