import { UserError } from '../../../errors.js';
import { escapeControl } from '../../../terminal-text.js';
import type { CloudLoginMethod } from './cloud-login.js';
import { sdkErrorText } from './sdk-error.js';
import { registryErrorText } from '../registry-errors.js';

/** ACR hosts, as Flux (fluxcd/pkg auth/azure, from Kubernetes' credential provider) takes them. */
const ACR_HOST = /^.+\.(azurecr\.io|azurecr\.cn|azurecr\.de|azurecr\.us)$/;

/** The user name ACR takes with a refresh token as the password. */
const ACR_TOKEN_USER = '00000000-0000-0000-0000-000000000000';

/** ACR refresh tokens last three hours; one without a readable `exp` gets this much. */
const DEFAULT_LIFETIME_MS = 60 * 60_000;

/**
 * The Entra ID scope of the registry's cloud, as Flux asks for it: the Resource Manager
 * of Azure China for `.azurecr.cn`, of Azure Government for `.azurecr.us`, else public.
 */
export function acrScope(registry: string): string {
  if (!ACR_HOST.test(registry)) {
    throw new UserError(
      `provider azure: registry ${registry} is not an Azure Container Registry (<name>.azurecr.io, .azurecr.cn, .azurecr.us or .azurecr.de): use the registry's login server, or provider generic with credentials`,
    );
  }
  if (registry.endsWith('.azurecr.cn')) return 'https://management.chinacloudapi.cn/.default';
  if (registry.endsWith('.azurecr.us')) return 'https://management.usgovcloudapi.net/.default';
  return 'https://management.azure.com/.default';
}

const CREDENTIAL_HINT =
  'configure DefaultAzureCredential: AZURE_TENANT_ID with AZURE_CLIENT_ID and AZURE_CLIENT_SECRET (or AZURE_CLIENT_CERTIFICATE_PATH), workload identity (AZURE_FEDERATED_TOKEN_FILE), a managed identity, or az login';

/**
 * An Entra ID token from `DefaultAzureCredential`, exchanged at the registry's
 * `/oauth2/exchange` for an ACR refresh token, which the registry's token flow then takes
 * as the password of user 00000000-0000-0000-0000-000000000000.
 */
export function azureLogin(registry: string): CloudLoginMethod {
  const scope = acrScope(registry);
  return {
    provider: 'azure',
    registry,
    cacheKey: `azure:${registry}`,
    identity: 'the ACR refresh token of the Entra ID identity',
    permissionsHint:
      'check that the identity has AcrPull to pull or AcrPush to push on the registry (or a repository-scoped permission)',
    fetch: async ({ postForm, agent }, signal) => {
      // Loaded on first use: the library is large and most runs never need it.
      const { DefaultAzureCredential } = await import('@azure/identity');
      // The pipeline's proxy policy would read HTTPS_PROXY and NO_PROXY from process.env with
      // its own rules; a request with an agent skips it, so Entra ID and managed identity
      // follow the registry's proxy settings.
      const credential = new DefaultAzureCredential({ agent: await agent() });
      let accessToken: string;
      try {
        const token = await credential.getToken(scope, { abortSignal: signal });
        accessToken = token.token;
      } catch (err) {
        throw new UserError(
          `provider azure: no Entra ID token to log in to registry ${registry} (${sdkErrorText(err)}): ${CREDENTIAL_HINT}`,
        );
      }
      const url = `https://${registry}/oauth2/exchange`;
      const res = await postForm(
        url,
        { grant_type: 'access_token', service: registry, access_token: accessToken },
        signal,
      );
      if (res.status !== 200) {
        throw new UserError(
          `provider azure: registry ${registry} refused to exchange the Entra ID token for a refresh token (${res.status}: ${registryErrorText(res)}): check that the identity has a role on the registry (AcrPull, AcrPush) and that the token's tenant is the registry's`,
        );
      }
      const refreshToken = parseRefreshToken(res.body);
      if (!refreshToken) {
        throw new UserError(
          `provider azure: registry ${registry} answered the token exchange without a refresh_token: check that ${escapeControl(url)} is the registry's login server`,
        );
      }
      return {
        credentials: { username: ACR_TOKEN_USER, password: refreshToken },
        expiresAt: jwtExpiry(refreshToken) ?? Date.now() + DEFAULT_LIFETIME_MS,
      };
    },
  };
}

function parseRefreshToken(body: Buffer): string | undefined {
  try {
    const parsed = JSON.parse(body.toString('utf8')) as { refresh_token?: unknown };
    return typeof parsed.refresh_token === 'string' && parsed.refresh_token !== ''
      ? parsed.refresh_token
      : undefined;
  } catch {
    return undefined;
  }
}

/** The `exp` of a JWT in milliseconds, read without checking the signature (the registry does). */
function jwtExpiry(token: string): number | undefined {
  try {
    const payload = JSON.parse(
      Buffer.from(token.split('.')[1] ?? '', 'base64url').toString('utf8'),
    );
    return typeof payload.exp === 'number' ? payload.exp * 1000 : undefined;
  } catch {
    return undefined;
  }
}
