/** The Secrets bootstrap writes beside the registry Secret; `secretName` may not take these. */
/** The CA bundle for the registry (`.spec.certSecretRef`). */
export const CA_SECRET_NAME = 'flux-registry-ca';
/** The Secrets holding `cosign.pub` for `.spec.verify.secretRef`. */
export const COMPONENTS_VERIFY_SECRET_NAME = 'flux-components-cosign';
export const CLUSTER_VERIFY_SECRET_NAME = 'flux-system-cosign';
