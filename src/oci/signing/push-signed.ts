import type { PushableArtifact } from '../content/descriptor.js';
import { pushArtifact, type PushResult } from '../registry/push.js';
import { tagArtifact } from '../registry/tag.js';
import { toReference, withClient, type OperationOptions } from '../registry/operation.js';
import { withDigest, type OciReference } from '../reference.js';
import type { CosignSigner } from './cosign-key.js';
import { signArtifact, type SignResult } from './sign-artifact.js';

export interface SignedPushResult {
  readonly pushed: PushResult;
  /** Undefined when nothing was signed (no signer). */
  readonly signed?: SignResult;
}

/**
 * Pushes an artifact and, with a signer, signs it before its tag names it: by digest
 * first, then the signature, then the tag. A verifying OCIRepository therefore never
 * sees the tag on unsigned content, and when signing fails the tag stays where it was.
 */
export async function pushSignedArtifact(
  reference: OciReference | string,
  artifact: PushableArtifact,
  signer: CosignSigner | undefined,
  options: OperationOptions = {},
): Promise<SignedPushResult> {
  const ref = toReference(reference);
  if (!signer) return { pushed: await pushArtifact(ref, artifact, options) };
  const pinned = withDigest(ref, artifact.manifest.descriptor.digest);
  return withClient(ref.registry, options, async (client) => {
    const pushed = await pushArtifact(pinned, artifact, { client });
    const signed = await signArtifact(ref, pushed.digest, signer, { client });
    if (ref.tag) await tagArtifact(pinned, [ref.tag], { client });
    return { pushed: { ...pushed, reference: ref, tags: ref.tag ? [ref.tag] : [] }, signed };
  });
}
