import { getManifest, putManifest } from './manifests.js';
import { toReference, withClient, type OperationOptions } from './operation.js';
import { repositoryName, validateTag, type ArtifactReference } from './reference.js';

export interface TagResult {
  /** `sha256:` of the manifest the new tags point at. */
  readonly digest: string;
  /** `registry/repository:tag` for each tag written. */
  readonly tagged: readonly string[];
}

/**
 * Points more tags at the manifest `reference` names: the manifest is read once (digest
 * verified) and its exact bytes written under each tag. No blob traffic.
 */
export async function tagArtifact(
  reference: ArtifactReference | string,
  tags: readonly string[],
  options: OperationOptions = {},
): Promise<TagResult> {
  const ref = toReference(reference);
  tags.forEach(validateTag);
  return withClient(ref.registry, options, async (client) => {
    const signal = client.operationSignal();
    const manifest = await getManifest(
      client,
      ref.repository,
      ref.digest ?? ref.tag ?? 'latest',
      signal,
    );
    const tagged: string[] = [];
    for (const tag of tags) {
      await putManifest(client, ref.repository, tag, manifest.bytes, manifest.mediaType, signal);
      tagged.push(`${repositoryName(ref)}:${tag}`);
    }
    return { digest: manifest.digest, tagged };
  });
}
