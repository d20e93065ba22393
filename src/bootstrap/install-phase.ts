import type { Artifact } from '../oci/content/descriptor.js';
import { pushSignedArtifact } from '../oci/signing/push-signed.js';
import { bootstrapSigner, checkVerificationKeys } from './artifact-signing.js';
import { COMPONENTS_SYNC_NAME } from '../flux/sync-objects.js';
import { applyManifests } from './apply/apply-manifests.js';
import type { KubeClient } from '../kube/client.js';
import type { KubeObject } from '../kube/object.js';
import type { ProgressLogger } from './progress-logger.js';
import { packComponents, unpackComponents } from './build-components.js';
import { checkNotDowngrade } from './downgrade-guard.js';
import { checkOtherManager, installationLabels } from './installation-manager.js';
import { componentsRegistryAccess } from './registry-access.js';
import { describeOption } from './options/option-flags.js';
import type { ResolvedBootstrapOptions } from './options/resolve-options.js';
import { goDurationMs } from '../duration.js';
import type { PhaseContext } from './phase.js';

export interface InstallPhaseOptions extends PhaseContext {
  /**
   * The components artifact built ahead (the construct builds it at synth time).
   * @default - built here from the options
   */
  readonly artifact?: Artifact;
}

export interface InstallPhaseResult {
  /** `sha256:` of the pushed components artifact. */
  readonly digest: string;
  /** Whether the components were applied (false once Flux owns them). */
  readonly applied: boolean;
}

/**
 * Phase 1 of the RFC: push the components artifact by digest and move the tag, then apply
 * the components (CRDs and Namespace first) unless the `flux-components` Kustomization has
 * already taken them over. A tag pointing at a newer Flux is not moved back unless
 * `allowDowngrade`. It runs only for a new artifact, so a tag moved by CI since the
 * last run (RFC story 4) is moved only by a deliberate change of the components.
 */
export async function runInstallPhase(
  kube: KubeClient,
  options: ResolvedBootstrapOptions,
  phase: InstallPhaseOptions,
): Promise<InstallPhaseResult> {
  const { logger } = phase;
  const access = componentsRegistryAccess(options, phase.env);
  // The keys are read before anything is pushed: a wrong password, a mistyped public key or
  // a public key of another pair leaves the registry and the cluster alone.
  const signer = bootstrapSigner(options, phase.env);
  checkVerificationKeys(options, signer);
  let artifact = phase.artifact;
  if (!artifact) {
    logger.step('generating component manifests');
    const packed = await packComponents(options);
    artifact = packed.artifact;
    logger.success(
      `generated Flux ${packed.version} component manifests (${packed.objects.length} objects)`,
    );
  }
  // Before anything is pushed: the plan stays valid, a later run with the right version or
  // allowDowngrade goes on.
  await checkNotDowngrade(options, artifact, access);
  // As flux bootstrap: Flux installed by another tool (Helm) is taken over only with force.
  const labels = await installationLabels(kube);
  if (labels) await checkOtherManager(labels, { force: options.force }, describeOption('force'));

  logger.step(`pushing components artifact to ${options.url}`);
  // Signed before the tag names it: a verifying OCIRepository never sees it unsigned.
  const { pushed, signed } = await pushSignedArtifact(options.url, artifact, signer, access);
  logger.success(
    pushed.uploadedBlobs === 0
      ? `components artifact already in the registry at ${pushed.digestReference}`
      : `components artifact pushed to ${pushed.digestReference}`,
  );
  if (signer && signed) {
    logger.success(
      signed.alreadySigned
        ? `components artifact already signed with ${signer.source}`
        : `components artifact signed: ${signed.signatureReference}`,
    );
  }

  let applied = false;
  if (await managedByFlux(kube, options.namespace)) {
    logger.success(
      `components are managed by Kustomization ${options.namespace}/${COMPONENTS_SYNC_NAME}: Flux updates them from the registry`,
    );
  } else {
    logger.step(`installing components in "${options.namespace}" namespace`);
    const objects = unpackComponents(artifact, options.namespace);
    await applyComponents(kube, objects, {
      namespace: options.namespace,
      timeoutMs: goDurationMs(options.timeout),
      logger,
    });
    logger.success('installed components');
    applied = true;
  }

  return { digest: pushed.digest, applied };
}

/**
 * Applies Flux's components staged, as `flux install` does: CRDs and the Namespace first,
 * a wait until the CRDs are Established (within `timeoutMs`), then the rest; what the
 * `flux-components` Kustomization already manages is left to Flux. Phase 1 and
 * `flux-oci install` share it.
 */
export async function applyComponents(
  kube: KubeClient,
  objects: readonly KubeObject[],
  options: { namespace: string; timeoutMs: number; logger: ProgressLogger },
): Promise<void> {
  await applyManifests(kube, objects, {
    skipOwnedBy: { name: COMPONENTS_SYNC_NAME, namespace: options.namespace },
    crdTimeoutMs: options.timeoutMs,
    logger: options.logger,
  });
}

/**
 * Whether the `flux-components` Kustomization has applied the components at least once:
 * from then on they are Flux's, and a re-run must not revert a self-update.
 */
async function managedByFlux(kube: KubeClient, namespace: string): Promise<boolean> {
  const apiVersion = 'kustomize.toolkit.fluxcd.io/v1';
  // No Kustomization kind served yet: a fresh cluster.
  if (!(await kube.resourceFor(apiVersion, 'Kustomization'))) return false;
  const kustomization = await kube.get({
    apiVersion,
    kind: 'Kustomization',
    namespace,
    name: COMPONENTS_SYNC_NAME,
  });
  const status = kustomization?.status as { lastAppliedRevision?: string } | undefined;
  return Boolean(status?.lastAppliedRevision);
}
