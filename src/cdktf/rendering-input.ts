import { AssetType, TerraformAsset, type TerraformStack } from 'cdktf';
import type { Construct } from 'constructs';
import { optionsToStepArgs, type StepArgs } from '../bootstrap/options/option-args.js';
import type { BootstrapOciOptions } from '../bootstrap/options/options.js';
import type { ResolvedBootstrapOptions } from '../bootstrap/options/resolve-options.js';
import type { SyncPlan } from '../bootstrap/sync-plan.js';
import type { ComponentsLayout } from './components-layout.js';
import { isDeployTime } from './deploy-time.js';
import type { SensitiveInput } from './sensitive-variable.js';
import type { SigningInput } from './signing-input.js';

/** What both renderings of the construct start from, prepared once at synth time. */
export interface RenderingInput {
  /** The user's stack: the one with the pre-apply step. */
  readonly stack: TerraformStack;
  readonly options: ResolvedBootstrapOptions;
  readonly layout: ComponentsLayout;
  readonly plan: SyncPlan;
  /** The components artifact, copied into the stack's directory (a relative path). */
  readonly artifact: TerraformAsset;
  readonly password?: SensitiveInput;
  readonly clusterPassword?: SensitiveInput;
  /** `user:password` for the controllers' image pull Secret (`registryCreds`). */
  readonly registryCreds?: SensitiveInput;
  /** The CA bundle read at synth time, when `caFile` is given. */
  readonly ca?: Buffer;
  /**
   * `caFile` copied next to the stack, relative to its directory: the steps read it there,
   * so the output names no path of the synthesizing machine.
   */
  readonly caFilePath?: string;
  /** Signing and verification: step arguments and the cosign.pub Secrets. */
  readonly signing: SigningInput;
}

/**
 * `caFile` copied next to `scope`'s stack: its path relative to the stack's directory, where
 * the steps read it, so the output names no path of the synthesizing machine.
 */
export function copyCaFile(scope: Construct, caFile: string | undefined): string | undefined {
  return caFile === undefined
    ? undefined
    : new TerraformAsset(scope, 'ca-file', { path: caFile, type: AssetType.FILE }).path;
}

/**
 * The `flux-oci` flags of a step for the options `keys`, with the CA file the step reads
 * (`caFilePath`, the copy next to the user's stack, unless another stack has its own). What
 * Terraform knows only at deploy time reaches the step in its environment, never in its
 * shell command line.
 */
export function stepArgs(
  input: RenderingInput,
  keys: readonly (keyof BootstrapOciOptions)[],
  caFilePath = input.caFilePath,
): StepArgs {
  return optionsToStepArgs({ ...input.options, caFile: caFilePath }, keys, isDeployTime);
}

/** Which options every step needs to reach the registry and the cluster. */
export const CONNECTION_KEYS = [
  'kubeconfig',
  'url',
  'username',
  'provider',
  'namespace',
  'caFile',
  'allowInsecureHttp',
  'timeout',
  'context',
] as const;

/** What the sync needs besides the connection. */
export const SYNC_KEYS = [
  ...CONNECTION_KEYS,
  'clusterUrl',
  'clusterUsername',
  'clusterPath',
  'secretName',
  'pinByDigest',
  'interval',
  'kustomizationInterval',
  'retryInterval',
] as const;

/** Where the steps find the passwords: the names of the variables, never their values. */
export function passwordEnvArgs(
  password?: SensitiveInput,
  clusterPassword?: SensitiveInput,
): string[] {
  return [
    ...(password ? [`--password-env=${password.envName}`] : []),
    ...(clusterPassword ? [`--cluster-password-env=${clusterPassword.envName}`] : []),
  ];
}

/**
 * The revision props the wait names when a registry refuses a Secret's credentials
 * (`raise passwordRevision (now 2)`); only for the passwords the construct writes.
 */
export function revisionArgs(
  options: { readonly passwordRevision: number; readonly clusterPasswordRevision: number },
  password?: SensitiveInput,
  clusterPassword?: SensitiveInput,
): string[] {
  return [
    ...(password ? [`--password-revision=${options.passwordRevision}`] : []),
    ...(clusterPassword ? [`--cluster-password-revision=${options.clusterPasswordRevision}`] : []),
  ];
}
