import { UserError } from '../../../errors.js';
import { escapeControl } from '../../../terminal-text.js';
import type { RegistryClient } from '../client.js';
import { sha256Digest } from '../../content/digest.js';
import { matchesRegistryDigest } from './content-digest.js';
import { RegistryResponseError, unexpectedResponse } from '../registry-errors.js';
import { headerValue } from '../http/transport.js';

export const OCI_MANIFEST = 'application/vnd.oci.image.manifest.v1+json';
export const OCI_INDEX = 'application/vnd.oci.image.index.v1+json';
export const DOCKER_MANIFEST = 'application/vnd.docker.distribution.manifest.v2+json';
export const DOCKER_MANIFEST_LIST = 'application/vnd.docker.distribution.manifest.list.v2+json';

/** What we accept when reading manifests (so the registry does not down-convert). */
const ACCEPT = [OCI_MANIFEST, DOCKER_MANIFEST, OCI_INDEX, DOCKER_MANIFEST_LIST].join(', ');

/** Larger manifests are refused: the distribution spec suggests registries accept at least 4 MiB. */
export const MAX_MANIFEST_BYTES = 4 * 1024 * 1024;

/** A manifest as the registry has it. */
export interface RemoteManifest {
  /** `sha256:` of `bytes`, checked against the reference or the registry's digest header. */
  readonly digest: string;
  readonly mediaType: string;
  readonly bytes: Buffer;
}

/** Digest, size and type of a manifest, from a HEAD. */
export interface ManifestInfo {
  readonly digest: string;
  readonly size: number;
  readonly mediaType: string;
}

function manifestPath(repository: string, reference: string): string {
  return `/v2/${repository}/manifests/${reference}`;
}

/** HEADs a manifest by tag or digest; undefined when the registry does not have it. */
export async function headManifest(
  client: RegistryClient,
  repository: string,
  reference: string,
  signal?: AbortSignal,
  /** Ask for push access already (the operation will write next). */
  push = false,
): Promise<ManifestInfo | undefined> {
  const res = await client.send({
    method: 'HEAD',
    path: manifestPath(repository, reference),
    repository,
    push,
    headers: { accept: ACCEPT },
    signal,
  });
  if (res.status === 404) return undefined;
  if (res.status !== 200)
    throw unexpectedResponse(client.registry, `check manifest ${repository}:${reference}`, res);
  const digest = headerValue(res.headers, 'docker-content-digest');
  if (!digest || !/^sha256:[a-f0-9]{64}$/.test(digest)) {
    // Some registries omit the digest on HEAD, or use another algorithm (or send anything):
    // read the manifest instead, whose sha256 is what tags and references name.
    const manifest = await getManifest(client, repository, reference, signal, push);
    return { digest: manifest.digest, size: manifest.bytes.length, mediaType: manifest.mediaType };
  }
  return {
    digest,
    size: Number(headerValue(res.headers, 'content-length') ?? 0),
    mediaType: (headerValue(res.headers, 'content-type') ?? '').split(';')[0],
  };
}

/**
 * GETs a manifest and verifies its bytes: against the digest when `reference` is one,
 * else against the registry's Docker-Content-Digest header when sent.
 */
export async function getManifest(
  client: RegistryClient,
  repository: string,
  reference: string,
  signal?: AbortSignal,
  /** Ask for push access already (the operation will write next). */
  push = false,
): Promise<RemoteManifest> {
  const res = await client.send({
    method: 'GET',
    path: manifestPath(repository, reference),
    repository,
    push,
    headers: { accept: ACCEPT },
    maxResponseBytes: MAX_MANIFEST_BYTES,
    signal,
  });
  const name = `${client.registry}/${repository}${reference.startsWith('sha256:') ? '@' : ':'}${reference}`;
  if (res.status === 404) {
    throw new RegistryResponseError(
      `artifact ${name} not found: check the repository and tag`,
      res,
    );
  }
  if (res.status !== 200) throw unexpectedResponse(client.registry, `get manifest ${name}`, res);
  const digest = sha256Digest(res.body);
  const expected = reference.startsWith('sha256:')
    ? reference
    : headerValue(res.headers, 'docker-content-digest');
  if (expected && !matchesRegistryDigest(res.body, expected, client.registry, `manifest ${name}`)) {
    throw new UserError(
      `manifest of ${name} does not match its digest: expected ${escapeControl(expected)}, got ${expected.startsWith('sha512:') ? 'another sha512' : digest}; the registry sent corrupt or tampered content`,
    );
  }
  let mediaType = (headerValue(res.headers, 'content-type') ?? '').split(';')[0].trim();
  try {
    const parsed = JSON.parse(res.body.toString('utf8')) as { mediaType?: string };
    if (parsed.mediaType) mediaType = parsed.mediaType;
  } catch {
    throw new UserError(`manifest of ${name} is not JSON`);
  }
  return { digest, mediaType, bytes: res.body };
}

/** PUTs manifest bytes under a tag or their digest. */
export async function putManifest(
  client: RegistryClient,
  repository: string,
  reference: string,
  bytes: Uint8Array,
  mediaType: string,
  signal?: AbortSignal,
): Promise<void> {
  const res = await client.send({
    method: 'PUT',
    path: manifestPath(repository, reference),
    repository,
    push: true,
    headers: { 'content-type': mediaType },
    body: bytes,
    signal,
  });
  if (res.status !== 201 && res.status !== 200 && res.status !== 202) {
    throw unexpectedResponse(client.registry, `write manifest ${repository}:${reference}`, res);
  }
  const digest = headerValue(res.headers, 'docker-content-digest');
  const what = `manifest ${repository}:${reference}`;
  if (digest && !matchesRegistryDigest(bytes, digest, client.registry, what)) {
    throw new UserError(
      `registry ${client.registry} stored ${what} under digest ${escapeControl(digest)}, not ${sha256Digest(bytes)}`,
    );
  }
}
