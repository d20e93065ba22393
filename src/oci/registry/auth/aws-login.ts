import { UserError } from '../../../errors.js';
import type { CloudLoginMethod, ExpiringCredentials } from './cloud-login.js';
import { sdkErrorName, sdkErrorText } from './sdk-error.js';

/**
 * Private ECR hosts, as Flux (fluxcd/pkg auth/aws, from the ECR credential helper) takes
 * them: `<account>.dkr.ecr[-fips].<region>.<partition domain>`, the partitions being the
 * commercial and GovCloud (`amazonaws.com`), China (`amazonaws.com.cn`) and the isolated
 * ones. Anchored here: Flux's pattern also matches a host that merely contains one.
 */
const ECR_HOST =
  /^([0-9]*)\.dkr\.ecr(-fips)?\.([^/.]+)\.(amazonaws\.com(?:\.cn)?|sc2s\.sgov\.gov|c2s\.ic\.gov|cloud\.adc-e\.uk|csp\.hci\.ic\.gov)$/;

/** What the host says about the ECR registry. */
export interface EcrRegistry {
  readonly region: string;
  /** The `dkr.ecr-fips` endpoint: the API call goes to ECR's FIPS endpoint too. */
  readonly fips: boolean;
}

/** The region and FIPS-ness of an ECR host; a UserError for any other host. */
export function parseEcrRegistry(registry: string): EcrRegistry {
  const match = ECR_HOST.exec(registry);
  if (!match) {
    throw new UserError(
      `provider aws: registry ${registry} is not an Amazon ECR registry (<account>.dkr.ecr[-fips].<region>.amazonaws.com[.cn], or a GovCloud or isolated partition's host): use the ECR repository's URL, or provider generic with credentials`,
    );
  }
  return { fips: match[2] !== undefined, region: match[3] };
}

const CHAIN_HINT =
  'configure the AWS default credential chain: AWS_ACCESS_KEY_ID with AWS_SECRET_ACCESS_KEY, AWS_PROFILE (shared config or SSO), AWS_WEB_IDENTITY_TOKEN_FILE with AWS_ROLE_ARN, or a container or instance role';

/** ECR's `GetAuthorizationToken` with the default credential provider chain. */
export function ecrLogin(registry: string): CloudLoginMethod {
  const { region, fips } = parseEcrRegistry(registry);
  return {
    provider: 'aws',
    registry,
    cacheKey: `aws:${registry}`,
    identity: "the ECR authorization token (user 'AWS')",
    permissionsHint:
      "check that the identity may use this repository (ecr:BatchGetImage and ecr:GetDownloadUrlForLayer to pull; ecr:InitiateLayerUpload, ecr:UploadLayerPart, ecr:CompleteLayerUpload, ecr:BatchCheckLayerAvailability and ecr:PutImage to push) and that the account and region are the registry's",
    fetch: async (_postForm, signal) => {
      // The pinned SDK supports Node 20; its notice that later releases will not is for
      // whoever upgrades it, not for each run of flux-oci.
      process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= 'true';
      // Loaded on first use: the SDK is large and most runs never need it.
      const [{ ECRClient, GetAuthorizationTokenCommand }, { fromNodeProviderChain }] =
        await Promise.all([import('@aws-sdk/client-ecr'), import('@aws-sdk/credential-providers')]);
      const client = new ECRClient({
        region,
        useFipsEndpoint: fips,
        credentials: fromNodeProviderChain(),
      });
      try {
        const out = await client.send(new GetAuthorizationTokenCommand({}), {
          abortSignal: signal,
        });
        return decodeAuthorizationToken(registry, out.authorizationData?.[0]);
      } catch (err) {
        if (err instanceof UserError) throw err;
        throw ecrError(registry, region, err);
      } finally {
        client.destroy();
      }
    },
  };
}

/** `base64(AWS:<password>)` and its expiry, as ECR returns them. */
function decodeAuthorizationToken(
  registry: string,
  data: { authorizationToken?: string; expiresAt?: Date } | undefined,
): ExpiringCredentials {
  const decoded = Buffer.from(data?.authorizationToken ?? '', 'base64').toString('utf8');
  const colon = decoded.indexOf(':');
  if (colon <= 0 || !data?.expiresAt) {
    throw new UserError(
      `provider aws: ECR answered GetAuthorizationToken for registry ${registry} without a usable token (no user:password or no expiry): check the ECR endpoint (AWS_ENDPOINT_URL_ECR)`,
    );
  }
  return {
    credentials: { username: decoded.slice(0, colon), password: decoded.slice(colon + 1) },
    expiresAt: data.expiresAt.getTime(),
  };
}

/** Exceptions that say the identity is known but may not do this, or is not accepted. */
const DENIED = new Set([
  'AccessDeniedException',
  'UnrecognizedClientException',
  'InvalidClientTokenId',
  'InvalidSignatureException',
  'SignatureDoesNotMatch',
  'ExpiredTokenException',
  'ExpiredToken',
]);

function ecrError(registry: string, region: string, err: unknown): UserError {
  const name = sdkErrorName(err);
  const text = sdkErrorText(err);
  if (name === 'CredentialsProviderError') {
    return new UserError(
      `provider aws: no AWS credentials to log in to registry ${registry} (${text}): ${CHAIN_HINT}`,
    );
  }
  if (DENIED.has(name)) {
    return new UserError(
      `provider aws: ECR refused GetAuthorizationToken for registry ${registry} in ${region} (${text}): allow ecr:GetAuthorizationToken for the identity, or configure another one in the default credential chain`,
    );
  }
  return new UserError(
    `provider aws: could not get an ECR authorization token for registry ${registry} in ${region} (${text}): check the network path to ECR's API (proxies, AWS_ENDPOINT_URL_ECR) and the credentials`,
  );
}
