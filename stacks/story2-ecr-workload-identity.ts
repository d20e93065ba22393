// RFC story 2: an EKS cluster bootstrapped from Amazon ECR with IAM auth. With
// `provider: 'aws'` source-controller logs in through Workload Identity: no credentials are
// stored in the cluster and no Secret is created. The kustomization.yaml patches the
// source-controller ServiceAccount with the IAM role (IRSA).
//
//   npx cdktf deploy
//
// The deploying machine (a bastion, a CI job) pushes the components with its own AWS
// identity: the pre-apply step logs in to ECR through the AWS SDK's default credential chain
// (instance role, AWS_PROFILE, web identity, ...), which it reads from the environment
// Terraform passes down. The FLUX_OCI_* variables point the same app at another registry
// and cluster (the end-to-end tests use them).
import { App, TerraformStack } from 'cdktf';
import { join } from 'node:path';
import { FluxBootstrapOci } from '../src/index.js';

const env = process.env;
const app = new App();
const stack = new TerraformStack(app, 'flux');
new FluxBootstrapOci(stack, 'flux', {
  url:
    env.FLUX_OCI_URL ??
    'oci://123456789012.dkr.ecr.eu-west-1.amazonaws.com/flux-manifests:production',
  provider: 'aws',
  kustomization: join(import.meta.dirname, 'story2', 'kustomization.yaml'),
  clusterUrl:
    env.FLUX_OCI_CLUSTER_URL ??
    'oci://123456789012.dkr.ecr.eu-west-1.amazonaws.com/fleet:production',
  clusterPath: 'clusters/eks-production',
  components: env.FLUX_OCI_COMPONENTS?.split(','),
  version: env.FLUX_OCI_VERSION,
  kubeconfig: env.FLUX_OCI_KUBECONFIG,
});
app.synth();
