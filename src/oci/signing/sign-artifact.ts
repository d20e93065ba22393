import { UserError } from '../../errors.js';
import { blobOf, type Blob } from '../content/descriptor.js';
import { blobExists, uploadBlob, type UploadCapabilities } from '../registry/api/blobs.js';
import { getManifest, headManifest, putManifest } from '../registry/api/manifests.js';
import { withClient, type OperationOptions } from '../registry/operation.js';
import { repositoryName, type OciReference } from '../reference.js';
import type { CosignSigner } from './cosign-key.js';
import { publicKeyFromPem } from './public-key.js';
import {
  signatureImage,
  signatureLayers,
  layerSignature,
  type SignatureLayer,
} from './signature-image.js';
import { MAX_SIGNATURE_LAYERS } from './signature-limits.js';
import { signatureTag } from './signature-tag.js';
import {
  SIGNATURE_ANNOTATION,
  SIMPLE_SIGNING_MEDIA_TYPE,
  simpleSigningPayload,
} from './simple-signing.js';

export interface SignResult {
  /** `registry/repository:sha256-<hex>.sig`, where the signature is stored. */
  readonly signatureReference: string;
  /** The key had signed this digest already: nothing was written. */
  readonly alreadySigned: boolean;
}

/**
 * Signs the manifest `digest` of `reference`'s repository with a cosign key and stores the
 * signature as `cosign sign --key --tlog-upload=false` does: the simple-signing payload as a
 * layer of the image at tag `sha256-<hex>.sig`, its signature in the layer's
 * `dev.cosignproject.cosign/signature` annotation. Signatures already there (other keys,
 * other signers) are kept and ours is appended; when this key's signature of the same
 * payload is there already, nothing is written, as cosign's duplicate detection does.
 * Nothing goes to a transparency log: the signature is checked with the public key alone.
 */
export async function signArtifact(
  reference: OciReference,
  digest: string,
  signer: CosignSigner,
  options: OperationOptions = {},
): Promise<SignResult> {
  const tag = signatureTag(digest);
  const signatureReference = `${repositoryName(reference)}:${tag}`;
  const payload = blobOf(
    SIMPLE_SIGNING_MEDIA_TYPE,
    simpleSigningPayload({ dockerReference: repositoryName(reference), digest }),
  );
  return withClient(reference.registry, options, async (client) => {
    const signal = client.operationSignal();
    const repository = reference.repository;
    const existing = (await headManifest(client, repository, tag, signal, true))
      ? (signatureLayers((await getManifest(client, repository, tag, signal, true)).bytes) ?? [])
      : [];
    const ownKey = publicKeyFromPem(signer.publicKeyPem, signer.source);
    const duplicate = existing.some((layer) => {
      const signature = layerSignature(layer);
      return (
        layer.digest === payload.descriptor.digest &&
        signature !== undefined &&
        ownKey.verify(payload.bytes, Buffer.from(signature, 'base64'))
      );
    });
    if (duplicate) return { signatureReference, alreadySigned: true };

    if (existing.length + 1 > MAX_SIGNATURE_LAYERS) {
      // cosign refuses to add one more too: verifiers would not read the image.
      throw new UserError(
        `${signatureReference} holds ${existing.length} signatures already, the ${MAX_SIGNATURE_LAYERS} cosign reads at most: a new one would never be verified; remove old signatures first`,
      );
    }
    const layer: SignatureLayer = {
      ...payload.descriptor,
      annotations: { [SIGNATURE_ANNOTATION]: signer.sign(payload.bytes).toString('base64') },
    };
    const image = signatureImage([...existing, layer]);
    const capabilities: UploadCapabilities = {};
    for (const blob of [payload, image.config] as Blob[]) {
      if (!(await blobExists(client, repository, blob.descriptor, signal))) {
        await uploadBlob(client, repository, blob, capabilities, signal);
      }
    }
    await putManifest(
      client,
      repository,
      tag,
      image.manifest.bytes,
      image.manifest.descriptor.mediaType,
      signal,
    );
    return { signatureReference, alreadySigned: false };
  });
}
