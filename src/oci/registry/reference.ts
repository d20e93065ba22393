import { UserError } from '../../errors.js';

/**
 * Where an artifact lives: `oci://<registry>/<repository>[:<tag>|@sha256:<hex>]`.
 * Kept here until the shared reference module (src/oci/reference.ts) exists.
 */
export interface ArtifactReference {
  /** `host[:port]`, Docker Hub normalised to `index.docker.io`. */
  readonly registry: string;
  /** `team/app`; Docker Hub single names get `library/`. */
  readonly repository: string;
  /** Absent when the reference is a digest or a bare repository. */
  readonly tag?: string;
  /** `sha256:<64 hex>` */
  readonly digest?: string;
}

const TAG = /^[A-Za-z0-9_][A-Za-z0-9._-]{0,127}$/;
const DIGEST = /^sha256:[a-f0-9]{64}$/;
const REPOSITORY =
  /^[a-z0-9]+(?:(?:[._]|__|-+)[a-z0-9]+)*(?:\/[a-z0-9]+(?:(?:[._]|__|-+)[a-z0-9]+)*)*$/;
const DOCKER_HUB = new Set(['docker.io', 'index.docker.io', 'registry-1.docker.io']);

/**
 * Parses `oci://host/repo[:tag|@digest]`. `defaultTag` fills in a missing tag (Flux uses
 * `latest` for push); pass `undefined` to keep a bare repository (list).
 */
export function parseArtifactReference(
  url: string,
  defaultTag: string | undefined = 'latest',
): ArtifactReference {
  const fix = `expected oci://<registry>/<repository>[:<tag>|@sha256:<digest>], e.g. oci://ghcr.io/org/app:v1`;
  if (!url.startsWith('oci://')) throw new UserError(`invalid artifact URL '${url}': ${fix}`);
  const rest = url.slice('oci://'.length);
  const slash = rest.indexOf('/');
  if (slash <= 0) throw new UserError(`invalid artifact URL '${url}': no repository; ${fix}`);
  let registry = rest.slice(0, slash);
  let path = rest.slice(slash + 1);
  let digest: string | undefined;
  let tag: string | undefined;
  const at = path.indexOf('@');
  if (at >= 0) {
    digest = path.slice(at + 1);
    path = path.slice(0, at);
    if (!DIGEST.test(digest)) {
      throw new UserError(
        `invalid digest '${digest}' in '${url}': expected sha256:<64 hex digits>`,
      );
    }
  }
  const colon = path.lastIndexOf(':');
  if (colon >= 0) {
    tag = path.slice(colon + 1);
    path = path.slice(0, colon);
    if (!TAG.test(tag)) {
      throw new UserError(
        `invalid tag '${tag}' in '${url}': up to 128 letters, digits, '_', '.' or '-', not starting with '.' or '-'`,
      );
    }
  }
  if (!REPOSITORY.test(path)) {
    throw new UserError(
      `invalid repository '${path}' in '${url}': lowercase letters, digits and separators (., _, -, /)`,
    );
  }
  if (!/^[A-Za-z0-9.-]+(:[0-9]+)?$|^\[[0-9a-fA-F:]+\](:[0-9]+)?$/.test(registry)) {
    throw new UserError(`invalid registry host '${registry}' in '${url}': ${fix}`);
  }
  if (DOCKER_HUB.has(registry)) {
    registry = 'index.docker.io';
    if (!path.includes('/')) path = `library/${path}`;
  }
  if (!tag && !digest && defaultTag) tag = defaultTag;
  return { registry, repository: path, tag, digest };
}

/** Throws a UserError naming `tag` unless it is a valid OCI tag. */
export function validateTag(tag: string): string {
  if (!TAG.test(tag)) {
    throw new UserError(
      `invalid tag '${tag}': up to 128 letters, digits, '_', '.' or '-', not starting with '.' or '-'`,
    );
  }
  return tag;
}

/** `registry/repository` */
export function repositoryName(ref: ArtifactReference): string {
  return `${ref.registry}/${ref.repository}`;
}

/** The reference without `oci://`: `registry/repo@digest`, `registry/repo:tag` or `registry/repo`. */
export function formatReference(ref: ArtifactReference): string {
  if (ref.digest) return `${repositoryName(ref)}@${ref.digest}`;
  if (ref.tag) return `${repositoryName(ref)}:${ref.tag}`;
  return repositoryName(ref);
}
