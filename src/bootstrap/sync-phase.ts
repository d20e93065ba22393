import { emptyClusterArtifactFiles } from '../flux/cluster-artifact.js';
import { buildArtifact } from '../oci/content/build.js';
import { pushSignedArtifact } from '../oci/signing/push-signed.js';
import { bootstrapSigner } from './artifact-signing.js';
import { RegistryResponseError } from '../oci/registry/registry-errors.js';
import { resolveArtifact } from '../oci/registry/resolve.js';
import { applyManifests } from './apply/apply-manifests.js';
import type { KubeClient } from '../kube/client.js';
import { waitForReady, type ReadinessTarget } from './readiness/wait-for-ready.js';
import { goDurationMs } from '../duration.js';
import { clusterRegistryAccess, componentsRegistryAccess } from './registry-access.js';
import { UserError } from '../errors.js';
import { refOf } from '../kube/object.js';
import {
  authFailureLine,
  authFailureOf,
  judgeAuthFailure,
  RECONCILE_REQUESTED_AT,
  type SecretRevision,
} from './readiness/auth-failure.js';
import { COMPONENTS_SYNC_NAME } from '../flux/sync-objects.js';
import { describeOption } from './options/option-flags.js';
import type { ResolvedBootstrapOptions } from './options/resolve-options.js';
import type { PlannedPhaseContext } from './phase.js';
import type { SyncPlan } from './sync-plan.js';

/**
 * The sync's wait also names, per Secret, the construct's revision prop that rewrites it
 * (the construct's steps pass them), for the line a refused Secret fails with.
 */
export interface SyncWaitContext extends PlannedPhaseContext {
  /** @default none: the line says to run the bootstrap again */
  readonly revisions?: ReadonlyMap<string, SecretRevision>;
}

/** Where the empty cluster artifact says it comes from. */
export const EMPTY_CLUSTER_SOURCE = 'flux-bootstrap-oci';

/**
 * Pushes the empty cluster artifact (`<cluster-path>/kustomization.yaml`, no resources)
 * when the cluster tag does not exist; an existing tag is never touched.
 */
export async function ensureClusterArtifact(
  options: ResolvedBootstrapOptions,
  { plan, logger, env = process.env }: PlannedPhaseContext,
): Promise<void> {
  if (!options.clusterUrl || options.clusterPath === undefined) return;
  const access = clusterRegistryAccess(options, plan.sameRegistry, env);
  const existing = await resolveArtifact(options.clusterUrl, access);
  if (existing) {
    logger.success(`cluster artifact ${options.clusterUrl} exists (${existing.digest})`);
    return;
  }
  const signer = bootstrapSigner(options, env);
  const verified = plan.clusterVerifySecret || options.clusterVerifyIssuer !== undefined;
  if (verified && (!signer || options.clusterVerifyIssuer !== undefined)) {
    // Flux would refuse the artifact: better to say so before pushing it.
    throw new UserError(
      `the cluster tag ${options.clusterUrl} does not exist, and the flux-system OCIRepository verifies signatures: push a signed cluster artifact there first${options.clusterVerifyIssuer === undefined ? `, or pass ${describeOption('cosignKey')} to sign the empty one the bootstrap pushes` : ' (keyless signatures come from your CI)'}`,
    );
  }
  logger.step(`pushing an empty cluster artifact to ${options.clusterUrl}`);
  const files = emptyClusterArtifactFiles(options.clusterPath);
  const artifact = buildArtifact({ files, source: EMPTY_CLUSTER_SOURCE });
  const { pushed, signed } = await pushSignedArtifact(options.clusterUrl, artifact, signer, access);
  logger.success(`empty cluster artifact pushed to ${pushed.digestReference}`);
  if (signed) logger.success(`empty cluster artifact signed: ${signed.signatureReference}`);
}

/**
 * Waits until Flux has taken over: the `flux-components` objects report the revision the
 * tag points at now (the pushed artifact, or one CI has moved it to since), and the
 * `flux-system` objects are Ready. A reconcile of the OCIRepositories is requested first (as
 * `flux reconcile`), so a registry refusing a Secret's credentials fails the wait at once,
 * in one line naming the object, the Secret and the fix (`revisions`: the construct's
 * revision prop per Secret). Any other failure names the object, its condition and message.
 */
export async function waitForSync(
  kube: KubeClient,
  options: ResolvedBootstrapOptions,
  { plan, logger, env = process.env, revisions = new Map() }: SyncWaitContext,
): Promise<void> {
  // Credentials the registry refuses here were likely written into the Secret too (the
  // construct's wait runs after Terraform wrote it): Flux's refusal names the fix, so it is
  // awaited first; this error is the answer only if Flux pulls nonetheless.
  let expected: string | undefined;
  let refusedHere: unknown;
  try {
    expected = await componentsRevisionNow(options, plan, env);
  } catch (err) {
    if (!(err instanceof RegistryResponseError && err.status === 401)) throw err;
    refusedHere = err;
  }
  const sources = plan.objects.filter((o) => o.kind === 'OCIRepository');
  const requestedAt = new Date().toISOString();
  for (const source of sources) {
    await kube.mergePatch(refOf(source), {
      metadata: { annotations: { [RECONCILE_REQUESTED_AT]: requestedAt } },
    });
  }
  const judge = judgeAuthFailure(requestedAt, revisions);
  const targets: ReadinessTarget[] = plan.objects.map((object) => ({
    apiVersion: object.apiVersion,
    kind: object.kind,
    namespace: object.metadata.namespace,
    name: object.metadata.name,
    expectedRevision: object.metadata.name === COMPONENTS_SYNC_NAME ? expected : undefined,
    judge: object.kind === 'OCIRepository' ? judge : undefined,
  }));
  try {
    await waitForReady(kube, targets, { timeoutMs: goDurationMs(options.timeout), logger });
  } catch (err) {
    // A refusal seen only at the timeout (a stale status) is still the reason to give.
    const refused: string[] = [];
    for (const source of sources) {
      const object = await kube.get(refOf(source)).catch(() => undefined);
      const refusal = object && authFailureOf(object);
      if (object && refusal) refused.push(authFailureLine(object, refusal, revisions));
    }
    if (refused.length > 0) throw new UserError(refused.join('\n'));
    throw refusedHere ?? err;
  }
  if (refusedHere) throw refusedHere;
}

/** Phase 2: cluster artifact, sync objects, readiness. The Secrets come first (secrets phase). */
export async function runSyncPhase(
  kube: KubeClient,
  options: ResolvedBootstrapOptions,
  { plan, logger, env = process.env, revisions = new Map() }: SyncWaitContext,
): Promise<void> {
  await ensureClusterArtifact(options, { plan, logger, env });
  logger.step('applying sync manifests');
  await applyManifests(kube, [...plan.objects], { logger });
  logger.success('sync manifests applied');
  await waitForSync(kube, options, { plan, logger, env, revisions });
}

async function componentsRevisionNow(
  options: ResolvedBootstrapOptions,
  plan: SyncPlan,
  env: NodeJS.ProcessEnv,
): Promise<string> {
  if (options.pinByDigest) return plan.componentsRevision;
  const current = await resolveArtifact(options.url, componentsRegistryAccess(options, env));
  if (!current) {
    throw new UserError(
      `the components tag ${options.url} does not exist: run the install phase first, or check --url`,
    );
  }
  return `${plan.components.tag}@${current.digest}`;
}
