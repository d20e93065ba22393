import { UserError } from '../errors.js';

/** A parsed `oci://` artifact reference. */
export interface OciReference {
  /** Registry host with optional port, e.g. `ghcr.io`, `localhost:5000`, `index.docker.io`. */
  readonly registry: string;
  /** Repository path, e.g. `org/app`; Docker Hub names gain `library/`. */
  readonly repository: string;
  /** The tag; `latest` when neither tag nor digest is given. */
  readonly tag?: string;
  /** `sha256:<64 hex>` when pinned by digest (then it wins over any tag). */
  readonly digest?: string;
}

/** Options for {@link parseOciReference}. */
export interface ParseReferenceOptions {
  /**
   * The tag of a reference that gives neither tag nor digest; `false` keeps the bare
   * repository (for `list artifacts`).
   * @default 'latest'
   */
  readonly defaultTag?: string | false;
}

/** Docker Hub's registry host, which `docker.io` and host-less names normalise to. */
export const DOCKER_HUB_REGISTRY = 'index.docker.io';
export const DEFAULT_TAG = 'latest';

const EXPECTED = 'expected oci://<host>[:<port>]/<repository>[:<tag>|@sha256:<digest>]';
const TAG_PATTERN = /^[A-Za-z0-9_.-]{1,128}$/;
const REPOSITORY_PATTERN = /^[a-z0-9_./-]{2,255}$/;
const DIGEST_PATTERN = /^sha256:[a-f0-9]{64}$/;
// A host name or IPv4 address, or a bracketed IPv6 address, with an optional port.
const REGISTRY_PATTERN =
  /^(?:[A-Za-z0-9](?:[A-Za-z0-9.-]*[A-Za-z0-9])?|\[[0-9A-Fa-f:.]+\])(?::\d{1,5})?$/;

/**
 * Parses `oci://host[:port]/repo[:tag|@sha256:...]` with go-containerregistry's rules, as
 * Flux does: the first path component is the registry only when it contains `.` or `:`
 * (otherwise the name is on Docker Hub, so `oci://localhost/x` needs a port); `docker.io`
 * becomes `index.docker.io` and single-component Docker Hub repositories gain `library/`.
 * Anything else is a UserError showing the value and the expected form.
 */
export function parseOciReference(url: string, options: ParseReferenceOptions = {}): OciReference {
  const fail = (why: string): never => {
    throw new UserError(`invalid OCI reference "${url}": ${why}; ${EXPECTED}`);
  };
  if (!url.startsWith('oci://')) fail('it must start with oci://');
  let rest = url.slice('oci://'.length);

  let digest: string | undefined;
  const at = rest.indexOf('@');
  if (at >= 0) {
    digest = rest.slice(at + 1);
    rest = rest.slice(0, at);
    if (!DIGEST_PATTERN.test(digest))
      fail('the digest must be sha256: followed by 64 lowercase hex digits');
  }

  let tag: string | undefined;
  const lastColon = rest.lastIndexOf(':');
  if (lastColon >= 0 && !rest.slice(lastColon + 1).includes('/')) {
    tag = rest.slice(lastColon + 1);
    rest = rest.slice(0, lastColon);
    if (!TAG_PATTERN.test(tag)) fail('a tag is 1-128 characters of A-Z a-z 0-9 _ . -');
  }

  let registry = DOCKER_HUB_REGISTRY;
  let repository = rest;
  const slash = rest.indexOf('/');
  const first = slash >= 0 ? rest.slice(0, slash) : '';
  if (first.includes('.') || first.includes(':')) {
    registry = first === 'docker.io' ? DOCKER_HUB_REGISTRY : first;
    repository = rest.slice(slash + 1);
    if (!REGISTRY_PATTERN.test(registry)) fail(`"${registry}" is not a valid registry host`);
  }
  if (repository === '') fail('the repository is missing');
  if (!REPOSITORY_PATTERN.test(repository)) {
    fail('a repository is 2-255 characters of a-z 0-9 _ . - /');
  }
  if (registry === DOCKER_HUB_REGISTRY && !repository.includes('/')) {
    repository = `library/${repository}`;
  }
  const defaultTag = options.defaultTag ?? DEFAULT_TAG;
  if (digest === undefined && tag === undefined && defaultTag !== false) tag = defaultTag;
  return {
    registry,
    repository,
    ...(tag !== undefined && { tag }),
    ...(digest !== undefined && { digest }),
  };
}

/** `registry/repository` (no scheme), e.g. `ghcr.io/org/app`. */
export function repositoryName(reference: OciReference): string {
  return `${reference.registry}/${reference.repository}`;
}

/** What goes after `/manifests/`: the digest when pinned, else the tag. */
export function referenceIdentifier(reference: OciReference): string {
  return reference.digest ?? reference.tag ?? DEFAULT_TAG;
}

/** `registry/repository@digest` or `registry/repository:tag`, as Flux prints references. */
export function referenceName(reference: OciReference): string {
  return reference.digest
    ? `${repositoryName(reference)}@${reference.digest}`
    : `${repositoryName(reference)}:${referenceIdentifier(reference)}`;
}

/** The same reference pinned to a digest (what push reports). */
export function withDigest(reference: OciReference, digest: string): OciReference {
  return { registry: reference.registry, repository: reference.repository, digest };
}
