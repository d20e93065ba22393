// A CDKTF app for test/e2e/cdktf-hostile-paths.test.ts: the terraform_data rendering, Flux
// from one registry (no fleet artifact), with the kubeconfig path and context as Terraform
// variables, known only at deploy time (TF_VAR_kubeconfig_path, TF_VAR_kube_context), as
// when another resource writes the kubeconfig. The FLUX_OCI_* variables point it at the
// harness.
import { App, TerraformStack, TerraformVariable } from 'cdktf';
import { FluxBootstrapOci } from '../../../src/index.js';

const env = process.env;
const app = new App();
const stack = new TerraformStack(app, 'hostile');
const kubeconfig = new TerraformVariable(stack, 'kubeconfig_path', { type: 'string' });
const context = new TerraformVariable(stack, 'kube_context', { type: 'string' });
new FluxBootstrapOci(stack, 'flux', {
  rendering: 'terraform-data',
  url: env.FLUX_OCI_URL ?? '',
  username: env.FLUX_OCI_USERNAME,
  password: FluxBootstrapOci.sensitiveVariable('oci_password'),
  caFile: env.FLUX_OCI_CA_FILE,
  components: env.FLUX_OCI_COMPONENTS?.split(','),
  version: env.FLUX_OCI_VERSION,
  kubeconfig: kubeconfig.stringValue,
  context: context.stringValue,
  timeout: '5m',
});
app.synth();
