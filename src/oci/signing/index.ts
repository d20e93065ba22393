// cosign key-based signatures of artifacts: sign on push, verify for CI gates.
export { COSIGN_PASSWORD_ENV, type CosignKeyPassword } from './cosign-password.js';
export {
  cosignSignerFromPem,
  loadCosignKey,
  openCosignKey,
  type CosignSigner,
} from './cosign-key.js';
export { loadPublicKey, publicKeyFromPem, type CosignVerifier } from './public-key.js';
export { pushSignedArtifact, type SignedPushResult } from './push-signed.js';
export { signArtifact, type SignResult } from './sign-artifact.js';
export { signatureTag } from './signature-tag.js';
export {
  SIGNATURE_ANNOTATION,
  SIMPLE_SIGNING_MEDIA_TYPE,
  simpleSigningPayload,
} from './simple-signing.js';
export { verifyArtifact, type VerifyResult } from './verify-artifact.js';
