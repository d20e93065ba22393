import type { KubeClient } from '../../kube/client.js';
import { formatRef, refOf, type KubeObject, type ObjectRef } from '../../kube/object.js';
import { REVISION_ANNOTATION, SOURCE_ANNOTATION } from '../../oci/content/annotations.js';
import {
  findFluxManager,
  helmReleaseLabels,
  kustomizationLabels,
  type FluxManager,
} from './flux-manager.js';
import type {
  ObjectTrace,
  ReadyCondition,
  TracedKustomization,
  TracedOciRepository,
  TracedOrigin,
} from './object-trace.js';
import { matchType } from './resource-type.js';
import { servedTypes } from './served-types.js';
import { TraceError } from './trace-error.js';

/** The object to trace, named as on the `flux trace` command line. */
export interface TraceTarget {
  /** The kind or a kubectl name for it: `Deployment`, `deployments`, `deploy`, `deployments.apps`. */
  readonly kind: string;
  readonly name: string;
  /**
   * Ignored for cluster-scoped kinds.
   * @default the kubeconfig context's namespace, else `default`
   */
  readonly namespace?: string;
  /**
   * Look the kind up in this group version only (`apps/v1`).
   * @default the first served group that has the kind, the core group first (as kubectl)
   */
  readonly apiVersion?: string;
}

const KUSTOMIZATION_API = 'kustomize.toolkit.fluxcd.io/v1';
const SOURCE_API = 'source.toolkit.fluxcd.io/v1';

/**
 * Traces an object on the cluster back through the Kustomization that applied it and the
 * OCIRepository that Kustomization builds from to the artifact's Git origin, as
 * `flux trace` does. Throws TraceError (one line) when the object is missing, not managed
 * by Flux, managed by a HelmRelease, or applied from a source other than an OCIRepository.
 */
export async function traceObject(client: KubeClient, target: TraceTarget): Promise<ObjectTrace> {
  const object = await readTarget(client, target);
  const ref = formatRef(refOf(object));
  const manager = await findFluxManager(client, object, kustomizationLabels);
  if (!manager) throw await notManaged(client, object, ref);

  const kustomization = await client.get({
    apiVersion: KUSTOMIZATION_API,
    kind: 'Kustomization',
    ...manager,
  });
  if (!kustomization) {
    throw new TraceError(
      'notFound',
      `${ref} was applied by Kustomization ${named(manager)}, which does not exist (any more): the object is left over from it`,
    );
  }
  const sourceRef = (kustomization.spec as { sourceRef?: SourceRef } | undefined)?.sourceRef;
  const source = {
    kind: sourceRef?.kind ?? '',
    name: sourceRef?.name ?? '',
    namespace: sourceRef?.namespace || manager.namespace,
  };
  if (source.kind !== 'OCIRepository') {
    throw new TraceError(
      'notOciSource',
      `${ref} is applied by Kustomization ${named(manager)} from ${source.kind || 'no source'} ${named(source)}, not from an OCIRepository: trace it with flux trace`,
    );
  }
  const repository = await client.get({ apiVersion: SOURCE_API, ...source });
  if (!repository) {
    throw new TraceError(
      'notFound',
      `${ref} is applied by Kustomization ${named(manager)} from OCIRepository ${named(source)}, which does not exist`,
    );
  }
  const metadata = artifactOf(repository)?.metadata;
  const origin = originOf(metadata);
  return {
    object: refOf(object),
    kustomization: tracedKustomization(kustomization),
    ociRepository: tracedRepository(repository),
    ...(origin ? { origin } : {}),
    ...(metadata ? { artifactMetadata: metadata } : {}),
  };
}

interface SourceRef {
  kind?: string;
  name?: string;
  namespace?: string;
}

interface Artifact {
  revision?: string;
  metadata?: Record<string, string>;
}

async function readTarget(client: KubeClient, target: TraceTarget): Promise<KubeObject> {
  const types = await servedTypes(client, target.apiVersion);
  if (target.apiVersion && types.length === 0) {
    throw new TraceError(
      'notFound',
      `the cluster serves nothing in ${target.apiVersion}: check --api-version (e.g. apps/v1, v1)`,
    );
  }
  const type = matchType(types, target.kind);
  if (!type) {
    const where = target.apiVersion ? ` in ${target.apiVersion}` : '';
    throw new TraceError(
      'notFound',
      `the cluster serves no resource type "${target.kind}"${where}: check the kind (e.g. deployment, configmap, kustomization)`,
    );
  }
  const namespace = type.namespaced ? target.namespace || client.defaultNamespace : undefined;
  const wanted: ObjectRef = {
    apiVersion: type.apiVersion,
    kind: type.kind,
    name: target.name,
    ...(namespace ? { namespace } : {}),
  };
  const object = await client.get(wanted);
  if (!object) {
    const hint = namespace ? ', and the namespace (-n)' : '';
    throw new TraceError('notFound', `${formatRef(wanted)} not found: check the name${hint}`);
  }
  return object;
}

async function notManaged(client: KubeClient, object: KubeObject, ref: string) {
  const release = await findFluxManager(client, object, helmReleaseLabels);
  if (release) {
    return new TraceError(
      'notKustomization',
      `${ref} is managed by HelmRelease ${named(release)}, not by a Kustomization: trace it with flux trace`,
    );
  }
  return new TraceError(
    'notManaged',
    `${ref} is not managed by Flux: neither it nor its owners have the ${kustomizationLabels.name} label (applied by hand or by another tool)`,
  );
}

function named(object: FluxManager): string {
  return `${object.namespace}/${object.name}`;
}

function tracedKustomization(kustomization: KubeObject): TracedKustomization {
  const spec = (kustomization.spec ?? {}) as { path?: string; targetNamespace?: string };
  const status = (kustomization.status ?? {}) as {
    lastAppliedRevision?: string;
    lastAttemptedRevision?: string;
  };
  const ready = readyOf(kustomization);
  return {
    name: kustomization.metadata.name,
    namespace: kustomization.metadata.namespace ?? '',
    path: spec.path ?? '',
    ...(spec.targetNamespace ? { targetNamespace: spec.targetNamespace } : {}),
    ...(status.lastAppliedRevision ? { lastAppliedRevision: status.lastAppliedRevision } : {}),
    ...(status.lastAttemptedRevision
      ? { lastAttemptedRevision: status.lastAttemptedRevision }
      : {}),
    ...(ready ? { ready } : {}),
  };
}

function tracedRepository(repository: KubeObject): TracedOciRepository {
  const spec = (repository.spec ?? {}) as {
    url?: string;
    ref?: { tag?: string; semver?: string; digest?: string };
  };
  const revision = artifactOf(repository)?.revision;
  const at = revision?.lastIndexOf('@') ?? -1;
  const ready = readyOf(repository);
  return {
    name: repository.metadata.name,
    namespace: repository.metadata.namespace ?? '',
    url: spec.url ?? '',
    ...(spec.ref?.tag ? { tag: spec.ref.tag } : {}),
    ...(spec.ref?.semver ? { semver: spec.ref.semver } : {}),
    ...(spec.ref?.digest ? { refDigest: spec.ref.digest } : {}),
    ...(revision ? { revision } : {}),
    // `<tag>@sha256:...`, or the bare digest when the OCIRepository pins one.
    ...(revision ? { digest: at >= 0 ? revision.slice(at + 1) : revision } : {}),
    ...(ready ? { ready } : {}),
  };
}

function artifactOf(repository: KubeObject): Artifact | undefined {
  return (repository.status as { artifact?: Artifact } | undefined)?.artifact;
}

function originOf(metadata: Record<string, string> | undefined): TracedOrigin | undefined {
  const source = metadata?.[SOURCE_ANNOTATION];
  const revision = metadata?.[REVISION_ANNOTATION];
  if (!source && !revision) return undefined;
  return { ...(source ? { source } : {}), ...(revision ? { revision } : {}) };
}

function readyOf(object: KubeObject): ReadyCondition | undefined {
  const conditions = (object.status as { conditions?: (ReadyCondition & { type: string })[] })
    ?.conditions;
  const ready = conditions?.find((c) => c.type === 'Ready');
  if (!ready) return undefined;
  const { status, reason, message, lastTransitionTime } = ready;
  return {
    status,
    ...(reason ? { reason } : {}),
    ...(message !== undefined ? { message } : {}),
    ...(lastTransitionTime ? { lastTransitionTime } : {}),
  };
}
