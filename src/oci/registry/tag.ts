import { getManifest, putManifest } from './api/manifests.js';
import { toReference, withClient, type OperationOptions } from './operation.js';
import { UserError } from '../../errors.js';
import { referenceIdentifier, repositoryName, type OciReference } from '../reference.js';

/** Throws a UserError naming `tag` unless it is a valid OCI tag. */
export function validateTag(tag: string): string {
  if (!/^[A-Za-z0-9_][A-Za-z0-9._-]{0,127}$/.test(tag)) {
    throw new UserError(
      `invalid tag '${tag}': up to 128 letters, digits, '_', '.' or '-', not starting with '.' or '-'`,
    );
  }
  return tag;
}

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
  reference: OciReference | string,
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
      referenceIdentifier(ref),
      signal,
      true,
    );
    const tagged: string[] = [];
    for (const tag of tags) {
      await putManifest(client, ref.repository, tag, manifest.bytes, manifest.mediaType, signal);
      tagged.push(`${repositoryName(ref)}:${tag}`);
    }
    return { digest: manifest.digest, tagged };
  });
}
