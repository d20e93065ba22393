import type { BootstrapOciOptions } from './options.js';
import { OPTION_FLAGS } from './option-flags.js';

/**
 * Writes options back as `flux-oci` arguments, for the commands the construct runs at synth
 * and apply time. Secrets are refused: they travel in the environment, never in argv.
 */
export function optionsToArgs(
  options: BootstrapOciOptions,
  keys: readonly (keyof BootstrapOciOptions)[],
): string[] {
  const args: string[] = [];
  for (const key of keys) {
    const value = options[key];
    if (value === undefined) continue;
    const { flag, kind } = OPTION_FLAGS[key];
    if (kind === 'secret') {
      throw new Error(`internal: ${key} must be passed through the environment, not as ${flag}`);
    }
    if (Array.isArray(value)) args.push(`${flag}=${value.join(',')}`);
    else args.push(`${flag}=${String(value)}`);
  }
  return args;
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
