import { UserError } from '../errors.js';
import type { CosignSigner } from '../oci/signing/cosign-key.js';
import { openCosignKey } from '../oci/signing/cosign-key.js';
import { loadPublicKey } from '../oci/signing/public-key.js';
import { describeOption } from './options/option-flags.js';
import type { ResolvedBootstrapOptions } from './options/resolve-options.js';

/**
 * The key the bootstrap signs its pushes with: `cosignKey`, opened with `cosignPassword` or
 * `COSIGN_PASSWORD`; undefined when nothing is signed.
 */
export function bootstrapSigner(
  options: ResolvedBootstrapOptions,
  env: NodeJS.ProcessEnv = process.env,
): CosignSigner | undefined {
  if (options.cosignKey === undefined) return undefined;
  const password =
    options.cosignPassword === undefined
      ? undefined
      : { value: options.cosignPassword, source: describeOption('cosignPassword') };
  return openCosignKey(options.cosignKey, env, password);
}

/**
 * The public key (PEM) the `flux-components` OCIRepository verifies with: `verifyPublicKey`,
 * else the signing key's own. When both are given they must be one key pair, or Flux
 * would refuse the very artifact the bootstrap pushes.
 */
export function componentsPublicKey(
  options: ResolvedBootstrapOptions,
  env: NodeJS.ProcessEnv = process.env,
): string | undefined {
  return componentsPublicKeyFor(options, bootstrapSigner(options, env));
}

/**
 * Reads the public keys the OCIRepositories will verify with and checks `verifyPublicKey`
 * against the signing key, before anything is pushed: a mistyped path or another key pair
 * is reported while the registry and the cluster are still untouched.
 */
export function checkVerificationKeys(
  options: ResolvedBootstrapOptions,
  signer: CosignSigner | undefined,
): void {
  componentsPublicKeyFor(options, signer);
  clusterPublicKey(options);
}

function componentsPublicKeyFor(
  options: ResolvedBootstrapOptions,
  signer: CosignSigner | undefined,
): string | undefined {
  if (options.verifyPublicKey === undefined) return signer?.publicKeyPem;
  const pem = loadPublicKey(options.verifyPublicKey).pem;
  if (signer && signer.publicKeyPem !== pem) {
    throw new UserError(
      `${describeOption('verifyPublicKey')} ${options.verifyPublicKey} is not the public key of ${describeOption('cosignKey')} ${options.cosignKey}: Flux would refuse the components artifact the bootstrap signs; give the cosign.pub of that key, or leave ${describeOption('verifyPublicKey')} unset`,
    );
  }
  return pem;
}

/** The public key (PEM) the `flux-system` OCIRepository verifies with, if any. */
export function clusterPublicKey(options: ResolvedBootstrapOptions): string | undefined {
  return options.clusterVerifyPublicKey === undefined
    ? undefined
    : loadPublicKey(options.clusterVerifyPublicKey).pem;
}
