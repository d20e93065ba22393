/** Media type of a cosign signature layer: the simple-signing payload. */
export const SIMPLE_SIGNING_MEDIA_TYPE = 'application/vnd.dev.cosign.simplesigning.v1+json';
/** The layer annotation holding the base64 signature of the payload. */
export const SIGNATURE_ANNOTATION = 'dev.cosignproject.cosign/signature';
/** `critical.type` of a cosign payload. */
export const COSIGN_SIGNATURE_TYPE = 'cosign container image signature';

/** What a simple-signing payload claims: the image's repository and manifest digest. */
export interface SimpleSigningClaim {
  /** `registry/repository` the signer named. */
  readonly dockerReference: string;
  /** `sha256:` of the signed manifest. */
  readonly digest: string;
}

/**
 * The payload cosign signs for `registry/repository@digest` (sigstore's payload.Cosign,
 * without annotations): the same bytes Go's json.Marshal writes, fields in struct order.
 */
export function simpleSigningPayload(claim: SimpleSigningClaim): Buffer {
  return Buffer.from(
    JSON.stringify({
      critical: {
        identity: { 'docker-reference': claim.dockerReference },
        image: { 'docker-manifest-digest': claim.digest },
        type: COSIGN_SIGNATURE_TYPE,
      },
      optional: null,
    }),
  );
}

/** The claim a payload makes, or a reason it is not a cosign simple-signing payload. */
export function parseSimpleSigningPayload(bytes: Uint8Array): SimpleSigningClaim | string {
  let parsed: {
    critical?: {
      identity?: { 'docker-reference'?: unknown };
      image?: { 'docker-manifest-digest'?: unknown };
      type?: unknown;
    };
  };
  try {
    parsed = JSON.parse(Buffer.from(bytes).toString('utf8')) as typeof parsed;
  } catch {
    return 'its payload is not JSON';
  }
  const critical = parsed?.critical;
  if (critical?.type !== COSIGN_SIGNATURE_TYPE) {
    return `its payload is not a cosign signature (type ${JSON.stringify(critical?.type ?? null)})`;
  }
  const digest = critical.image?.['docker-manifest-digest'];
  if (typeof digest !== 'string') return 'its payload names no manifest digest';
  const reference = critical.identity?.['docker-reference'];
  return { dockerReference: typeof reference === 'string' ? reference : '', digest };
}
