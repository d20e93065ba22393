// What `traceObject` finds: the object, the Kustomization that applied it, the OCIRepository
// that Kustomization builds from and the Git origin recorded in the artifact's annotations.
// Plain data, as `flux-oci trace -o json|yaml` prints it.

/** The traced object, as the cluster names it. */
export interface TracedObject {
  readonly apiVersion: string;
  readonly kind: string;
  readonly name: string;
  /** Absent for cluster-scoped objects. */
  readonly namespace?: string;
}

/** A Flux object's `Ready` condition. */
export interface ReadyCondition {
  /** `True`, `False` or `Unknown`. */
  readonly status: string;
  readonly reason?: string;
  readonly message?: string;
  /** RFC 3339, as the controller wrote it. */
  readonly lastTransitionTime?: string;
}

/** The Kustomization named by the object's `kustomize.toolkit.fluxcd.io/name` and `/namespace` labels. */
export interface TracedKustomization {
  readonly name: string;
  readonly namespace: string;
  /** `spec.path`. */
  readonly path: string;
  /** `spec.targetNamespace`; absent when the objects keep their own namespaces. */
  readonly targetNamespace?: string;
  /** `status.lastAppliedRevision`: the source revision last applied; absent before the first apply. */
  readonly lastAppliedRevision?: string;
  /** `status.lastAttemptedRevision`: differs from the applied one while a newer revision fails. */
  readonly lastAttemptedRevision?: string;
  /** Absent when the controller has not reported yet. */
  readonly ready?: ReadyCondition;
}

/** The OCIRepository the Kustomization's `spec.sourceRef` names. */
export interface TracedOciRepository {
  readonly name: string;
  readonly namespace: string;
  /** `spec.url`, `oci://<registry>/<repository>`. */
  readonly url: string;
  /** `spec.ref.tag`; absent when the reference is a semver range or a digest. */
  readonly tag?: string;
  /** `spec.ref.semver`. */
  readonly semver?: string;
  /** `spec.ref.digest`: a pinned digest. */
  readonly refDigest?: string;
  /** `status.artifact.revision`, `<tag>@sha256:<digest>`; absent before the first pull. */
  readonly revision?: string;
  /**
   * The digest of the OCI manifest pulled (the part of the revision after `@`), as
   * `flux-oci push artifact` printed it. Not `status.artifact.digest`, which is the digest of
   * source-controller's own tarball.
   */
  readonly digest?: string;
  readonly ready?: ReadyCondition;
}

/** Where the artifact was built from: its `org.opencontainers.image.source` and `.revision` annotations. */
export interface TracedOrigin {
  /** The Git URL (`flux push artifact --source`). */
  readonly source?: string;
  /** `<branch|tag>@sha1:<commit>` (`flux push artifact --revision`). */
  readonly revision?: string;
}

/** The trace of one object managed by a Kustomization from an OCIRepository. */
export interface ObjectTrace {
  readonly object: TracedObject;
  readonly kustomization: TracedKustomization;
  readonly ociRepository: TracedOciRepository;
  /**
   * Absent when the artifact carries neither annotation (pushed without `--source` and
   * `--revision`, or not pulled yet).
   */
  readonly origin?: TracedOrigin;
  /**
   * `status.artifact.metadata` of the OCIRepository: the artifact's annotations as
   * source-controller recorded them (the origin is read from here).
   */
  readonly artifactMetadata?: Readonly<Record<string, string>>;
}
