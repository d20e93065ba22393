import { readFileSync } from 'node:fs';
import { caSecretObject } from '../flux/ca-secret.js';
import { cosignKeySecretObject } from '../flux/cosign-key-secret.js';
import { clusterPublicKey, componentsPublicKey } from './artifact-signing.js';
import type { KubeObject } from '../kube/object.js';
import { registrySecretObject } from '../flux/registry-secret.js';
import { resolveArtifact } from '../oci/registry/resolve.js';
import { applyManifests } from './apply/apply-manifests.js';
import type { KubeClient } from '../kube/client.js';
import { parseRegistryCreds } from './options/registry-creds.js';
import { clusterRegistryAccess, componentsRegistryAccess } from './registry-access.js';
import { describeOption } from './options/option-flags.js';
import type { ResolvedBootstrapOptions } from './options/resolve-options.js';
import type { PlannedPhaseContext } from './phase.js';
import type { SyncPlan } from './sync-plan.js';

/**
 * The Secrets source-controller needs: the registry credentials (`flux-components`, and
 * `flux-system` when the cluster registry has its own) and the CA for `certSecretRef`. The
 * credentials are tried against the registry first, so a wrong password fails here, with
 * the registry's answer, before anything is written. With `registryCreds`, the controllers'
 * image pull Secret too, as `flux bootstrap` writes it. A password rotation (RFC story 5)
 * runs this step alone: no artifact is pushed and no tag moves.
 */
export async function runSecretsPhase(
  kube: KubeClient,
  options: ResolvedBootstrapOptions,
  { plan, logger, env = process.env }: PlannedPhaseContext,
): Promise<void> {
  const secrets: KubeObject[] = [];
  const components = componentsRegistryAccess(options, env);
  if (plan.componentsSecret && components.credentials && 'username' in components.credentials) {
    logger.step(`checking the credentials for ${plan.components.registry}`);
    await resolveArtifact(options.url, components);
    secrets.push(
      registrySecretObject({
        name: plan.componentsSecret,
        namespace: options.namespace,
        registry: plan.components.registry,
        ...components.credentials,
      }),
    );
  }
  if (plan.clusterSecret && plan.cluster && options.clusterUrl) {
    const cluster = clusterRegistryAccess(options, plan.sameRegistry, env);
    if (cluster.credentials && 'username' in cluster.credentials) {
      logger.step(`checking the credentials for ${plan.cluster.registry}`);
      await resolveArtifact(options.clusterUrl, cluster);
      secrets.push(
        registrySecretObject({
          name: plan.clusterSecret,
          namespace: options.namespace,
          registry: plan.cluster.registry,
          ...cluster.credentials,
        }),
      );
    }
  }
  if (plan.caSecret && options.caFile) {
    secrets.push(
      caSecretObject({
        name: plan.caSecret,
        namespace: options.namespace,
        caCertificate: readFileSync(options.caFile, 'utf8'),
        source: options.caFile,
      }),
    );
  }
  secrets.push(...verificationSecrets(options, plan, env));
  const pullCredentials = parseRegistryCreds(
    options.registryCreds,
    options.imagePullSecret,
    describeOption('registryCreds'),
    describeOption('imagePullSecret'),
  );
  if (pullCredentials && options.imagePullSecret) {
    // As flux bootstrap: the controllers' image pull Secret, for --registry.
    secrets.push(
      registrySecretObject({
        name: options.imagePullSecret,
        namespace: options.namespace,
        registry: options.registry,
        ...pullCredentials,
      }),
    );
  }
  if (secrets.length === 0) return;
  logger.step(`applying ${secrets.map((s) => `Secret/${s.metadata.name}`).join(', ')}`);
  await applyManifests(kube, secrets, { logger });
  logger.success('registry Secrets applied');
}

/** The Secrets with `cosign.pub` that the OCIRepositories' `.spec.verify.secretRef` name. */
function verificationSecrets(
  options: ResolvedBootstrapOptions,
  plan: SyncPlan,
  env: NodeJS.ProcessEnv,
): KubeObject[] {
  const secrets: KubeObject[] = [];
  const components = plan.componentsVerifySecret && componentsPublicKey(options, env);
  if (plan.componentsVerifySecret && components) {
    secrets.push(
      cosignKeySecretObject({
        name: plan.componentsVerifySecret,
        namespace: options.namespace,
        publicKey: components,
      }),
    );
  }
  const cluster = plan.clusterVerifySecret && clusterPublicKey(options);
  if (plan.clusterVerifySecret && cluster) {
    secrets.push(
      cosignKeySecretObject({
        name: plan.clusterVerifySecret,
        namespace: options.namespace,
        publicKey: cluster,
      }),
    );
  }
  return secrets;
}
