import { AssetType, TerraformAsset, type TerraformStack } from 'cdktf';
import type { Construct } from 'constructs';
import { createHash } from 'node:crypto';
import { optionsToStepArgs } from '../bootstrap/options/option-args.js';
import { describeOption } from '../bootstrap/options/option-flags.js';
import type { ResolvedBootstrapOptions } from '../bootstrap/options/resolve-options.js';
import type { SyncPlan } from '../bootstrap/sync-plan.js';
import { UserError } from '../errors.js';
import { loadPublicKey } from '../oci/signing/public-key.js';
import { isDeployTime } from './deploy-time.js';
import { declareSensitiveVariable } from './sensitive-variable.js';

/** A Secret with `cosign.pub` the construct writes: its name and the key read at synth. */
export interface PublicKeySecret {
  readonly name: string;
  readonly pem: string;
}

/** How the construct's steps sign and what the verification Secrets hold. */
export interface SigningInput {
  /**
   * Arguments of the steps that push: `--cosign-key=env://NAME` and where its password is.
   */
  readonly signArgs: readonly string[];
  /**
   * Arguments of the steps that plan the sync objects or write Secrets (with the cluster
   * options): the public keys, copied beside the stack (relative paths), and the keyless
   * identity.
   */
  readonly verifyArgs: readonly string[];
  /** The `cosign.pub` Secrets, read at synth time (public keys may be kept in state). */
  readonly secrets: readonly PublicKeySecret[];
  /** What makes the steps run again when signing changes (nothing when nothing is signed). */
  readonly triggers: Readonly<Record<string, string>>;
}

const ENV_KEY = /^env:\/\/[A-Za-z_][A-Za-z0-9_]*$/;

/**
 * The construct's signing and verification. The private key never enters the synthesized
 * output: `cosignKey` names an environment variable holding it (`env://COSIGN_PRIVATE_KEY`,
 * as cosign's `--key env://`), which the steps inherit from the deploy, and its password is
 * a sensitive variable (`cosignPassword`) or `COSIGN_PASSWORD` there. The public keys are
 * read at synth time, so `verifyPublicKey` is required with a key.
 */
export function signingInput(
  scope: Construct,
  stack: TerraformStack,
  options: ResolvedBootstrapOptions,
  plan: SyncPlan,
): SigningInput {
  if (options.cosignKey !== undefined && !ENV_KEY.test(options.cosignKey)) {
    throw new UserError(
      `${describeOption('cosignKey')} '${options.cosignKey}' must name an environment variable holding the key, as env://COSIGN_PRIVATE_KEY: a file would be copied into the synthesized output; set the variable in the deploy's environment`,
    );
  }
  if (options.cosignKey !== undefined && options.verifyPublicKey === undefined) {
    throw new UserError(
      `${describeOption('cosignKey')} is set without ${describeOption('verifyPublicKey')}: give the key's cosign.pub, which the construct writes to the flux-components-cosign Secret at synth time`,
    );
  }
  const secrets: PublicKeySecret[] = [];
  let componentsPem: string | undefined;
  const assets: Partial<Record<'verifyPublicKey' | 'clusterVerifyPublicKey', string>> = {};
  for (const [key, name] of [
    ['verifyPublicKey', plan.componentsVerifySecret],
    ['clusterVerifyPublicKey', plan.clusterVerifySecret],
  ] as const) {
    const file = options[key];
    if (file === undefined || name === undefined) continue;
    if (isDeployTime(file)) {
      throw new UserError(`${describeOption(key)} must be a file known at synth time`);
    }
    const pem = loadPublicKey(file).pem;
    secrets.push({ name, pem });
    if (key === 'verifyPublicKey') componentsPem = pem;
    // The secrets step of the terraform-data rendering reads it beside the stack.
    assets[key] = new TerraformAsset(scope, `${key}-file`, {
      path: file,
      type: AssetType.FILE,
    }).path;
  }
  const password =
    options.cosignPassword === undefined
      ? undefined
      : declareSensitiveVariable(stack, 'cosignPassword', options.cosignPassword);
  const args = (keys: readonly (keyof ResolvedBootstrapOptions)[]): string[] =>
    optionsToStepArgs({ ...options, ...assets }, keys, () => false).args;
  return {
    signArgs: [
      ...args(['cosignKey']),
      ...(password ? [`--cosign-password-env=${password.envName}`] : []),
    ],
    verifyArgs: args([
      'verifyPublicKey',
      'clusterVerifyPublicKey',
      'clusterVerifyIssuer',
      'clusterVerifySubject',
    ]),
    secrets,
    // A rotated key under the same env://NAME shows only in its public key: the Secret gets
    // the new cosign.pub at once, so the components artifact must be signed again with it.
    triggers:
      options.cosignKey === undefined
        ? {}
        : {
            cosign_key: options.cosignKey,
            ...(componentsPem ? { verify_public_key_sha256: sha256Hex(componentsPem) } : {}),
          },
  };
}

function sha256Hex(text: string): string {
  return createHash('sha256').update(text).digest('hex');
}
