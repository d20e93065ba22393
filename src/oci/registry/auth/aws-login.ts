import type { Agent } from 'node:http';
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

/** ECR Public's one registry; its token comes from us-east-1, as Flux asks for it. */
const PUBLIC_ECR = 'public.ecr.aws';

/** What the host says about the ECR registry. */
export interface EcrRegistry {
  readonly region: string;
  /** The `dkr.ecr-fips` endpoint: the API call goes to ECR's FIPS endpoint too. */
  readonly fips: boolean;
  /** ECR Public (`public.ecr.aws`): the token comes from the ECR Public API. */
  readonly public: boolean;
}

/** The region and FIPS-ness of an ECR host; a UserError for any other host. */
export function parseEcrRegistry(registry: string): EcrRegistry {
  if (registry === PUBLIC_ECR) return { region: 'us-east-1', fips: false, public: true };
  const match = ECR_HOST.exec(registry);
  if (!match) {
    throw new UserError(
      `provider aws: registry ${registry} is not an Amazon ECR registry (<account>.dkr.ecr[-fips].<region>.amazonaws.com[.cn], a GovCloud or isolated partition's host, or public.ecr.aws): use the ECR repository's URL, or provider generic with credentials`,
    );
  }
  return { fips: match[2] !== undefined, region: match[3], public: false };
}

const CHAIN_HINT =
  'configure the AWS default credential chain: AWS_ACCESS_KEY_ID with AWS_SECRET_ACCESS_KEY, AWS_PROFILE (shared config or SSO), AWS_WEB_IDENTITY_TOKEN_FILE with AWS_ROLE_ARN, or a container or instance role';

/** ECR's `GetAuthorizationToken` with the default credential provider chain. */
export function ecrLogin(registry: string): CloudLoginMethod {
  const ecr = parseEcrRegistry(registry);
  const api = ecr.public ? 'ECR Public' : 'ECR';
  return {
    provider: 'aws',
    registry,
    cacheKey: `aws:${registry}`,
    identity: `the ${api} authorization token (user 'AWS')`,
    permissionsHint: ecr.public
      ? "check that the identity may push to this repository (ecr-public:InitiateLayerUpload, ecr-public:UploadLayerPart, ecr-public:CompleteLayerUpload, ecr-public:BatchCheckLayerAvailability and ecr-public:PutImage) and that the repository is the account's"
      : "check that the identity may use this repository (ecr:BatchGetImage and ecr:GetDownloadUrlForLayer to pull; ecr:InitiateLayerUpload, ecr:UploadLayerPart, ecr:CompleteLayerUpload, ecr:BatchCheckLayerAvailability and ecr:PutImage to push) and that the account and region are the registry's",
    fetch: async (network, signal) => {
      // The pinned SDK supports Node 20; its notice that later releases will not is for
      // whoever upgrades it, not for each run of flux-oci.
      process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= 'true';
      // Loaded on first use: the SDK is large and most runs never need it.
      const { fromNodeProviderChain } = await import('@aws-sdk/credential-providers');
      // The SDK's Node handler reads no proxy setting: ECR's API and the chain's own calls
      // (STS for a web identity, SSO) get the agent that follows the registry's proxies.
      const agent = await network.agent();
      const requestHandler = { httpsAgent: agent, httpAgent: agent };
      const config = {
        region: ecr.region,
        useFipsEndpoint: ecr.fips,
        requestHandler,
        credentials: fromNodeProviderChain({ clientConfig: { requestHandler } }),
      };
      try {
        const data = ecr.public
          ? await publicAuthorizationData(config, signal)
          : await privateAuthorizationData(config, signal);
        return decodeAuthorizationToken(registry, api, data);
      } catch (err) {
        if (err instanceof UserError) throw err;
        throw ecrError(registry, api, ecr.region, err);
      }
    },
  };
}

interface AuthorizationData {
  readonly authorizationToken?: string;
  readonly expiresAt?: Date;
}

interface EcrClientConfig {
  readonly region: string;
  readonly useFipsEndpoint: boolean;
  readonly requestHandler: { readonly httpsAgent: Agent; readonly httpAgent: Agent };
  readonly credentials: ReturnType<
    typeof import('@aws-sdk/credential-providers').fromNodeProviderChain
  >;
}

/** ECR's GetAuthorizationToken (`AWS_ENDPOINT_URL_ECR` overrides the endpoint). */
async function privateAuthorizationData(
  config: EcrClientConfig,
  signal?: AbortSignal,
): Promise<AuthorizationData | undefined> {
  const { ECRClient, GetAuthorizationTokenCommand } = await import('@aws-sdk/client-ecr');
  const client = new ECRClient(config);
  try {
    const out = await client.send(new GetAuthorizationTokenCommand({}), { abortSignal: signal });
    return out.authorizationData?.[0];
  } finally {
    client.destroy();
  }
}

/** ECR Public's GetAuthorizationToken (`AWS_ENDPOINT_URL_ECR_PUBLIC` overrides the endpoint). */
async function publicAuthorizationData(
  config: EcrClientConfig,
  signal?: AbortSignal,
): Promise<AuthorizationData | undefined> {
  const { ECRPUBLICClient, GetAuthorizationTokenCommand } =
    await import('@aws-sdk/client-ecr-public');
  const client = new ECRPUBLICClient(config);
  try {
    const out = await client.send(new GetAuthorizationTokenCommand({}), { abortSignal: signal });
    return out.authorizationData;
  } finally {
    client.destroy();
  }
}

/** `base64(AWS:<password>)` and its expiry, as ECR returns them. */
function decodeAuthorizationToken(
  registry: string,
  api: string,
  data: AuthorizationData | undefined,
): ExpiringCredentials {
  const decoded = Buffer.from(data?.authorizationToken ?? '', 'base64').toString('utf8');
  const colon = decoded.indexOf(':');
  if (colon <= 0 || !data?.expiresAt) {
    throw new UserError(
      `provider aws: ${api} answered GetAuthorizationToken for registry ${registry} without a usable token (no user:password or no expiry): check the endpoint (AWS_ENDPOINT_URL_ECR, AWS_ENDPOINT_URL_ECR_PUBLIC)`,
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

function ecrError(registry: string, api: string, region: string, err: unknown): UserError {
  const name = sdkErrorName(err);
  const text = sdkErrorText(err);
  if (name === 'CredentialsProviderError') {
    return new UserError(
      `provider aws: no AWS credentials to log in to registry ${registry} (${text}): ${CHAIN_HINT}`,
    );
  }
  if (DENIED.has(name)) {
    return new UserError(
      `provider aws: ${api} refused GetAuthorizationToken for registry ${registry} in ${region} (${text}): allow ${api === 'ECR' ? 'ecr:GetAuthorizationToken' : 'ecr-public:GetAuthorizationToken and sts:GetServiceBearerToken'} for the identity, or configure another one in the default credential chain`,
    );
  }
  return new UserError(
    `provider aws: could not get an ${api} authorization token for registry ${registry} in ${region} (${text}): check the network path to ${api}'s API (proxies, AWS_ENDPOINT_URL_ECR${api === 'ECR' ? '' : '_PUBLIC'}) and the credentials`,
  );
}
