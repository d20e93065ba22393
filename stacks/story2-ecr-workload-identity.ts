// RFC story 2: an EKS cluster bootstrapped from Amazon ECR with IAM auth. With
// `provider: 'aws'` source-controller logs in through Workload Identity: no credentials are
// stored in the cluster and no Secret is created. The kustomization.yaml patches the
// source-controller ServiceAccount with the IAM role (IRSA).
//
//   npx cdktf deploy
import { App, TerraformStack } from 'cdktf';
import { join } from 'node:path';
import { FluxBootstrapOci } from '../src/index.js';

const app = new App();
const stack = new TerraformStack(app, 'flux');
new FluxBootstrapOci(stack, 'flux', {
  url: 'oci://123456789012.dkr.ecr.eu-west-1.amazonaws.com/flux-manifests:production',
  provider: 'aws',
  kustomization: join(import.meta.dirname, 'story2', 'kustomization.yaml'),
  clusterUrl: 'oci://123456789012.dkr.ecr.eu-west-1.amazonaws.com/fleet:production',
  clusterPath: 'clusters/eks-production',
});
app.synth();
