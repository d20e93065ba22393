import { UserError } from '../../errors.js';
import { escapeControl } from '../../terminal-text.js';
import { fetchBlob } from '../registry/api/blobs.js';
import { getManifest, headManifest } from '../registry/api/manifests.js';
import { toReference, withClient, type OperationOptions } from '../registry/operation.js';
import {
  referenceIdentifier,
  referenceName,
  repositoryName,
  type OciReference,
} from '../reference.js';
import type { CosignVerifier } from './public-key.js';
import { layerSignature, signatureLayers } from './signature-image.js';
import { MAX_SIGNATURE_LAYERS, MAX_SIGNATURE_PAYLOAD_BYTES } from './signature-limits.js';
import { signatureTag } from './signature-tag.js';
import { parseSimpleSigningPayload, SIMPLE_SIGNING_MEDIA_TYPE } from './simple-signing.js';

export interface VerifyResult {
  /** `sha256:` of the manifest whose signature verified. */
  readonly digest: string;
  /** `registry/repository@sha256:...` */
  readonly digestReference: string;
  /** `registry/repository:sha256-<hex>.sig` */
  readonly signatureReference: string;
  /** The `docker-reference` the verified payload claims. */
  readonly dockerReference: string;
}

/**
 * Checks that the artifact `reference` names (its tag resolved to a digest) carries a cosign
 * signature made with `key`, as `cosign verify --key --insecure-ignore-tlog` and
 * source-controller's key-based verification check it: a layer of the `sha256-<hex>.sig`
 * image whose payload (digest-checked) the `dev.cosignproject.cosign/signature` annotation
 * signs, and whose payload names this manifest digest. No transparency log is consulted.
 * Fails with a UserError saying why no signature verified.
 */
export async function verifyArtifact(
  reference: OciReference | string,
  key: CosignVerifier,
  options: OperationOptions = {},
): Promise<VerifyResult> {
  const ref = toReference(reference);
  return withClient(ref.registry, options, async (client) => {
    const signal = client.operationSignal();
    const repository = ref.repository;
    const digest =
      ref.digest ??
      (await headManifest(client, repository, referenceIdentifier(ref), signal))?.digest;
    if (!digest) {
      throw new UserError(`artifact ${referenceName(ref)} not found: check the repository and tag`);
    }
    const digestReference = `${repositoryName(ref)}@${digest}`;
    const tag = signatureTag(digest);
    const signatureReference = `${repositoryName(ref)}:${tag}`;
    if (!(await headManifest(client, repository, tag, signal))) {
      throw new UserError(
        `no cosign signature found for ${digestReference}: the registry has no ${signatureReference}; sign it with flux-oci push artifact --cosign-key or cosign sign --key`,
      );
    }
    const manifest = await getManifest(client, repository, tag, signal);
    const layers = signatureLayers(manifest.bytes);
    if (!layers || layers.length === 0) {
      throw new UserError(
        `no cosign signature found for ${digestReference}: ${signatureReference} holds no signature layers`,
      );
    }
    // Refused whole, before any payload is read, as cosign refuses them.
    if (layers.length > MAX_SIGNATURE_LAYERS) {
      throw new UserError(
        `${signatureReference} holds ${layers.length} signature layers, more than the ${MAX_SIGNATURE_LAYERS} cosign reads: it was not verified; remove the extra signatures or sign again into a clean repository`,
      );
    }
    const oversized = layers.findIndex((layer) => layer.size > MAX_SIGNATURE_PAYLOAD_BYTES);
    if (oversized >= 0) {
      throw new UserError(
        `${signatureReference}: signature ${oversized + 1} has a payload of ${layers[oversized].size} bytes, more than the ${MAX_SIGNATURE_PAYLOAD_BYTES} (128 MiB) cosign reads: it was not verified; remove that signature`,
      );
    }
    const failures: string[] = [];
    for (const [index, layer] of layers.entries()) {
      const fail = (why: string): void => {
        failures.push(`signature ${index + 1}: ${why}`);
      };
      const signature = layerSignature(layer);
      if (layer.mediaType !== SIMPLE_SIGNING_MEDIA_TYPE) {
        fail(`layer type ${escapeControl(layer.mediaType)} is not a simple-signing payload`);
        continue;
      }
      if (!signature) {
        fail('the layer has no dev.cosignproject.cosign/signature annotation');
        continue;
      }
      const payload = await fetchBlob(client, repository, layer, signal);
      if (!key.verify(payload, Buffer.from(signature, 'base64'))) {
        fail(
          `it does not verify with ${key.source} (signed with another key, or its payload was changed)`,
        );
        continue;
      }
      const claim = parseSimpleSigningPayload(payload);
      if (typeof claim === 'string') {
        fail(claim);
        continue;
      }
      if (claim.digest !== digest) {
        fail(`its payload signs ${escapeControl(claim.digest)}, not ${digest}`);
        continue;
      }
      return {
        digest,
        digestReference,
        signatureReference,
        dockerReference: claim.dockerReference,
      };
    }
    throw new UserError(
      `no signature of ${digestReference} verifies with ${key.source}: ${failures.join('; ')}`,
    );
  });
}
