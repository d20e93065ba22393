import type { BootstrapOciOptions, CommandOption } from './options.js';
import { envFlag, hasFlag, OPTION_FLAGS } from './option-flags.js';

/**
 * Writes options back as `flux-oci` arguments, for the commands the construct runs at synth
 * and apply time. Secrets are refused: they travel in the environment, never in argv.
 */
export function optionsToArgs(
  options: BootstrapOciOptions,
  keys: readonly (keyof BootstrapOciOptions)[],
): string[] {
  return optionsToStepArgs(options, keys, () => false).args;
}

/** A step's `flux-oci` arguments and the environment that carries its deploy-time values. */
export interface StepArgs {
  readonly args: string[];
  readonly environment: Record<string, string>;
}

/**
 * As optionsToArgs, but a value known only at deploy time (`isDeployTime`, e.g. a Terraform
 * reference) goes into the environment, named by `--<flag>-env`: Terraform substitutes
 * references into a command line unescaped, so the shell would run what they hold.
 */
export function optionsToStepArgs(
  options: BootstrapOciOptions,
  keys: readonly (keyof BootstrapOciOptions)[],
  isDeployTime: (value: string) => boolean,
): StepArgs {
  const args: string[] = [];
  const environment: Record<string, string> = {};
  for (const key of keys) {
    const value = options[key];
    if (value === undefined) continue;
    if (!hasFlag(key)) throw new Error(`internal: ${key} has no flag`);
    const { flag, kind, deployTime } = OPTION_FLAGS[key];
    if (kind === 'secret') {
      throw new Error(`internal: ${key} must be passed through the environment, not as ${flag}`);
    }
    const text = Array.isArray(value) ? value.join(',') : String(value);
    if (!isDeployTime(text)) {
      args.push(`${flag}=${text}`);
    } else if (deployTime) {
      environment[stepEnvName(key)] = text;
      args.push(`${envFlag(key)}=${stepEnvName(key)}`);
    } else {
      throw new Error(`internal: ${key} is a deploy-time value but may not be one`);
    }
  }
  return { args, environment };
}

/** `FLUX_OCI_STEP_KUBECONFIG` for `kubeconfig`: where a step's environment holds an option. */
export function stepEnvName(key: CommandOption): string {
  return `FLUX_OCI_STEP_${key.replace(/[A-Z]/g, (c) => `_${c}`).toUpperCase()}`;
}

/** The `flux install` options: what the generated component manifests depend on. */
const FLUX_INSTALL_KEYS = [
  'version',
  'components',
  'componentsExtra',
  'registry',
  'imagePullSecret',
  'networkPolicy',
  'watchAllNamespaces',
  'logLevel',
  'clusterDomain',
  'tolerationKeys',
  'namespace',
] as const satisfies readonly (keyof BootstrapOciOptions)[];

/** Where the Flux release manifests come from. */
const MANIFESTS_KEYS = [
  'manifests',
  'manifestsBaseUrl',
] as const satisfies readonly (keyof BootstrapOciOptions)[];

/** The `flux install` options, plus where the manifests come from (`flux-oci install`'s flags). */
export const INSTALL_KEYS = [...FLUX_INSTALL_KEYS, ...MANIFESTS_KEYS] as const;

/** The options that decide the content of the components artifact: the install options and the patches. */
export const COMPONENTS_KEYS = [...FLUX_INSTALL_KEYS, 'kustomization', ...MANIFESTS_KEYS] as const;
