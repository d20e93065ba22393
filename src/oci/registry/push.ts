import { UserError } from '../../errors.js';
import type { BlobSource, PushableArtifact } from '../content/descriptor.js';
import {
  blobExists,
  MONOLITHIC_PROBE_BYTES,
  uploadBlob,
  type UploadCapabilities,
} from './api/blobs.js';
import { headManifest, putManifest } from './api/manifests.js';
import { forEachLimited, toReference, withClient, type OperationOptions } from './operation.js';
import { repositoryName, type OciReference } from '../reference.js';

export interface PushOptions extends OperationOptions {
  /** More tags to point at the artifact, written after the reference's own tag. @default none */
  readonly tags?: readonly string[];
}

export interface PushResult {
  /** The reference pushed to (its tag, if any). */
  readonly reference: OciReference;
  /** `sha256:` of the manifest: what the tags now point at. */
  readonly digest: string;
  /** `registry/repository@sha256:...`, as Flux prints it. */
  readonly digestReference: string;
  /** Every tag written (or found already pointing at the digest). */
  readonly tags: readonly string[];
  /** Blobs sent; 0 when the registry had them all. */
  readonly uploadedBlobs: number;
  /** Bytes of the blobs sent. */
  readonly uploadedBytes: number;
}

/** Blobs are uploaded this many at a time (as gcr's default jobs). */
const UPLOAD_CONCURRENCY = 4;

/**
 * Pushes an artifact so that no tag ever points at missing content: tags already on the
 * manifest's digest are left alone (a re-push of identical content sends nothing); else
 * each blob the registry lacks is uploaded, the manifest is written by its digest, and
 * the tags last.
 */
export async function pushArtifact(
  reference: OciReference | string,
  artifact: PushableArtifact,
  options: PushOptions = {},
): Promise<PushResult> {
  const ref = toReference(reference);
  const digest = artifact.manifest.descriptor.digest;
  if (ref.digest && ref.digest !== digest) {
    throw new UserError(
      `cannot push to ${repositoryName(ref)}@${ref.digest}: the artifact's digest is ${digest}`,
    );
  }
  const tags = [...new Set([...(ref.tag ? [ref.tag] : []), ...(options.tags ?? [])])];
  return withClient(ref.registry, options, async (client) => {
    const signal = client.operationSignal();
    const repository = ref.repository;
    const mediaType = artifact.manifest.descriptor.mediaType;

    const tagsToWrite: string[] = [];
    let manifestPresent = false;
    let repositoryHasHistory = false;
    for (const tag of tags) {
      const current = await headManifest(client, repository, tag, signal, true);
      if (current?.digest === digest) manifestPresent = true;
      else tagsToWrite.push(tag);
      if (current && current.digest !== digest) repositoryHasHistory = true;
    }
    let uploadedBlobs = 0;
    let uploadedBytes = 0;
    if (!manifestPresent && (tags.length === 0 || repositoryHasHistory)) {
      // Only worth a request when the manifest may be there: pushed before under another tag.
      manifestPresent =
        (await headManifest(client, repository, digest, signal, true)) !== undefined;
    }
    if (!manifestPresent) {
      const missing: BlobSource[] = [];
      await forEachLimited(uniqueBlobs(artifact), UPLOAD_CONCURRENCY, async (blob) => {
        if (!(await blobExists(client, repository, blob.descriptor, signal))) missing.push(blob);
      });
      const capabilities: UploadCapabilities = {};
      const upload = async (blob: BlobSource): Promise<void> => {
        await uploadBlob(client, repository, blob, capabilities, signal);
        uploadedBlobs++;
        uploadedBytes += blob.descriptor.size;
      };
      // Small blobs may go up in one monolithic POST: the first one shows whether the
      // registry takes it, before the others try. Large blobs never try, so they start now.
      const small = missing.filter((b) => b.descriptor.size <= MONOLITHIC_PROBE_BYTES);
      const large = missing.filter((b) => b.descriptor.size > MONOLITHIC_PROBE_BYTES);
      const smallInOrder = async (): Promise<void> => {
        if (small.length === 0) return;
        await upload(small[0]);
        await forEachLimited(small.slice(1), UPLOAD_CONCURRENCY, upload);
      };
      await Promise.all([smallInOrder(), forEachLimited(large, UPLOAD_CONCURRENCY, upload)]);
      // By digest first: the registry confirms every blob before any tag can name it.
      await putManifest(client, repository, digest, artifact.manifest.bytes, mediaType, signal);
    }
    for (const tag of tagsToWrite) {
      await putManifest(client, repository, tag, artifact.manifest.bytes, mediaType, signal);
    }
    return {
      reference: ref,
      digest,
      digestReference: `${repositoryName(ref)}@${digest}`,
      tags,
      uploadedBlobs,
      uploadedBytes,
    };
  });
}

function uniqueBlobs(artifact: PushableArtifact): BlobSource[] {
  const byDigest = new Map<string, BlobSource>();
  for (const blob of [artifact.config, ...artifact.layers])
    byDigest.set(blob.descriptor.digest, blob);
  return [...byDigest.values()];
}
