/**
 * What a signature image may hold, cosign's own limits (v2.6.5: `maxLayers` in
 * pkg/oci/remote/signatures.go, `defaultMaxSize` in internal/pkg/cosign/payload/size):
 * a hostile `.sig` image cannot make a verifier read without end.
 */
export const MAX_SIGNATURE_LAYERS = 1000;

/** A signature payload (one layer) is refused above this size: 128 MiB, as cosign. */
export const MAX_SIGNATURE_PAYLOAD_BYTES = 128 * 1024 * 1024;
