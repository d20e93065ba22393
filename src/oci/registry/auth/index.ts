// Registry login with a cloud's own identity (`--provider aws|azure|gcp`).
import { UserError } from '../../../errors.js';
import { ecrLogin } from './aws-login.js';
import { azureLogin } from './azure-login.js';
import { OCI_PROVIDERS, type OciProvider } from '../../provider.js';
import { CloudLogin } from './cloud-login.js';
import { gcpLogin } from './gcp-login.js';
import type { ProxySettings } from '../http/proxy-from-environment.js';

export { CloudLogin, clearCloudLogins, type CloudProvider } from './cloud-login.js';
export { checkCloudEnv } from './cloud-env.js';

/**
 * The login for `registry` with `provider`, or undefined for `generic`; a UserError when
 * the host is not one of the provider's registries. No SDK is loaded until the first login,
 * which goes through `proxy` as the registry's own requests do.
 */
export function cloudLogin(
  provider: OciProvider,
  registry: string,
  proxy?: ProxySettings,
): CloudLogin | undefined {
  switch (provider) {
    case 'generic':
      return undefined;
    case 'aws':
      return new CloudLogin(ecrLogin(registry), proxy);
    case 'azure':
      return new CloudLogin(azureLogin(registry), proxy);
    case 'gcp':
      return new CloudLogin(gcpLogin(registry), proxy);
    default:
      throw new UserError(
        `provider '${String(provider)}' is not supported: use one of ${OCI_PROVIDERS.join(', ')}`,
      );
  }
}

/**
 * Throws the UserError of `cloudLogin` when `registry` is not one of `provider`'s hosts:
 * commands check this before any progress line or request.
 */
export function checkProviderRegistry(provider: OciProvider, registry: string): void {
  cloudLogin(provider, registry);
}
