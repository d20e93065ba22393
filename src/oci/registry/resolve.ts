import { headManifest, type ManifestInfo } from './api/manifests.js';
import { toReference, withClient, type OperationOptions } from './operation.js';
import { referenceIdentifier, type OciReference } from '../reference.js';

/**
 * The digest, size and media type the reference's tag (or digest) points at; undefined
 * when the registry does not have it. One HEAD request.
 */
export async function resolveArtifact(
  reference: OciReference | string,
  options: OperationOptions = {},
): Promise<ManifestInfo | undefined> {
  const ref = toReference(reference);
  return withClient(ref.registry, options, (client) =>
    headManifest(client, ref.repository, referenceIdentifier(ref), client.operationSignal()),
  );
}
