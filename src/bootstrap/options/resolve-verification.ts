import { UserError } from '../../errors.js';
import type { BootstrapOciOptions } from './options.js';
import { describeOption } from './option-flags.js';

/** The signing and verification options, checked; `verifyProvider` set when anything is verified. */
export type VerificationOptions = Pick<
  BootstrapOciOptions,
  | 'cosignKey'
  | 'cosignPassword'
  | 'verifyProvider'
  | 'verifyPublicKey'
  | 'clusterVerifyPublicKey'
  | 'clusterVerifyIssuer'
  | 'clusterVerifySubject'
>;

/**
 * Checks how the artifacts are signed and verified. Files are read later (the key when it
 * signs, the public keys when their Secrets are written), so the construct can name them
 * at synth time. Verification is on as soon as there is something to verify with.
 */
export function resolveVerification(options: BootstrapOciOptions): VerificationOptions {
  const given = (key: keyof VerificationOptions): boolean =>
    options[key] !== undefined && options[key] !== '';
  if (options.verifyProvider !== undefined && options.verifyProvider !== 'cosign') {
    throw new UserError(
      `${describeOption('verifyProvider')} '${String(options.verifyProvider)}' is not supported: use cosign (notation is not supported yet)`,
    );
  }
  if (given('cosignPassword') && !given('cosignKey')) {
    throw new UserError(
      `${describeOption('cosignPassword')} is set without ${describeOption('cosignKey')}: give the key it opens`,
    );
  }
  for (const key of [
    'clusterVerifyPublicKey',
    'clusterVerifyIssuer',
    'clusterVerifySubject',
  ] as const) {
    if (given(key) && options.clusterUrl === undefined) {
      throw new UserError(
        `${describeOption(key)} is set but ${describeOption('clusterUrl')} is not: it verifies the cluster artifact`,
      );
    }
  }
  if (given('clusterVerifyIssuer') !== given('clusterVerifySubject')) {
    const missing = given('clusterVerifyIssuer') ? 'clusterVerifySubject' : 'clusterVerifyIssuer';
    throw new UserError(
      `keyless verification needs both ${describeOption('clusterVerifyIssuer')} and ${describeOption('clusterVerifySubject')}: set ${describeOption(missing)} too (a regular expression)`,
    );
  }
  if (given('clusterVerifyPublicKey') && given('clusterVerifyIssuer')) {
    throw new UserError(
      `${describeOption('clusterVerifyPublicKey')} and ${describeOption('clusterVerifyIssuer')} are both set: the cluster artifact is verified either with a key or keyless; give one`,
    );
  }
  for (const key of ['clusterVerifyIssuer', 'clusterVerifySubject'] as const) {
    const value = options[key];
    if (value === undefined) continue;
    try {
      new RegExp(value);
    } catch {
      throw new UserError(
        `${describeOption(key)} '${value}' is not a regular expression: escape special characters, e.g. ^https://token\\.actions\\.githubusercontent\\.com$`,
      );
    }
  }
  const verifies =
    given('cosignKey') ||
    given('verifyPublicKey') ||
    given('clusterVerifyPublicKey') ||
    given('clusterVerifyIssuer');
  if (options.verifyProvider !== undefined && !verifies) {
    throw new UserError(
      `${describeOption('verifyProvider')} is set but nothing is verified: give ${describeOption('verifyPublicKey')}, ${describeOption('cosignKey')} or ${describeOption('clusterVerifyPublicKey')}`,
    );
  }
  return {
    cosignKey: options.cosignKey,
    cosignPassword: options.cosignPassword,
    verifyProvider: verifies ? 'cosign' : undefined,
    verifyPublicKey: options.verifyPublicKey,
    clusterVerifyPublicKey: options.clusterVerifyPublicKey,
    clusterVerifyIssuer: options.clusterVerifyIssuer,
    clusterVerifySubject: options.clusterVerifySubject,
  };
}
