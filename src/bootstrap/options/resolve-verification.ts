import { UserError } from '../../errors.js';
import type { BootstrapOciOptions } from './options.js';
import { describe } from './resolve-options.js';

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
      `${describe('verifyProvider')} '${String(options.verifyProvider)}' is not supported: use cosign (notation is not supported yet)`,
    );
  }
  if (given('cosignPassword') && !given('cosignKey')) {
    throw new UserError(
      `${describe('cosignPassword')} is set without ${describe('cosignKey')}: give the key it opens`,
    );
  }
  for (const key of [
    'clusterVerifyPublicKey',
    'clusterVerifyIssuer',
    'clusterVerifySubject',
  ] as const) {
    if (given(key) && options.clusterUrl === undefined) {
      throw new UserError(
        `${describe(key)} is set but ${describe('clusterUrl')} is not: it verifies the cluster artifact`,
      );
    }
  }
  if (given('clusterVerifyIssuer') !== given('clusterVerifySubject')) {
    const missing = given('clusterVerifyIssuer') ? 'clusterVerifySubject' : 'clusterVerifyIssuer';
    throw new UserError(
      `keyless verification needs both ${describe('clusterVerifyIssuer')} and ${describe('clusterVerifySubject')}: set ${describe(missing)} too (a regular expression)`,
    );
  }
  if (given('clusterVerifyPublicKey') && given('clusterVerifyIssuer')) {
    throw new UserError(
      `${describe('clusterVerifyPublicKey')} and ${describe('clusterVerifyIssuer')} are both set: the cluster artifact is verified either with a key or keyless; give one`,
    );
  }
  for (const key of ['clusterVerifyIssuer', 'clusterVerifySubject'] as const) {
    const value = options[key];
    if (value === undefined) continue;
    try {
      new RegExp(value);
    } catch {
      throw new UserError(
        `${describe(key)} '${value}' is not a regular expression: escape special characters, e.g. ^https://token\\.actions\\.githubusercontent\\.com$`,
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
      `${describe('verifyProvider')} is set but nothing is verified: give ${describe('verifyPublicKey')}, ${describe('cosignKey')} or ${describe('clusterVerifyPublicKey')}`,
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
