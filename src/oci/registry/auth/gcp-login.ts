import type { Agent } from 'node:http';
import { UserError } from '../../../errors.js';
import type { CloudLoginMethod } from './cloud-login.js';
import { sdkErrorText } from './sdk-error.js';

/** Container Registry and Artifact Registry hosts, as Flux (fluxcd/pkg auth/gcp) takes them. */
const GCP_HOST = /^(((.+\.)?gcr\.io)|(.+-docker\.pkg\.dev))$/;

/** The scopes Flux asks for. */
const SCOPES = [
  'https://www.googleapis.com/auth/cloud-platform',
  'https://www.googleapis.com/auth/userinfo.email',
];

/**
 * The registry login needs no Google project. Naming one spares `getClient()` its lookup,
 * which for a federated identity exchanges the token and asks Resource Manager for the pool's
 * project: a call Flux does not make, that a least-privilege identity may be denied, and
 * that would run before the token exchange gets the agent (`useAgentForTokenExchange`).
 */
const UNUSED_PROJECT = 'flux-oci-registry-login';

/** Access tokens last an hour; a token server that names no expiry gets this much. */
const DEFAULT_LIFETIME_MS = 60 * 60_000;

/** A UserError unless `registry` is a Google registry host. */
export function checkGcpRegistry(registry: string): void {
  if (!GCP_HOST.test(registry)) {
    throw new UserError(
      `provider gcp: registry ${registry} is not a Google registry (<region>-docker.pkg.dev or [<region>.]gcr.io): use the Artifact Registry repository's URL, or provider generic with credentials`,
    );
  }
}

/** An OAuth2 access token from the application default credentials, user `oauth2accesstoken`. */
export function gcpLogin(registry: string): CloudLoginMethod {
  checkGcpRegistry(registry);
  return {
    provider: 'gcp',
    registry,
    // One access token serves every Google registry.
    cacheKey: 'gcp',
    identity: "the Google access token (user 'oauth2accesstoken')",
    permissionsHint:
      "check that the identity has roles/artifactregistry.reader to pull, roles/artifactregistry.writer to push (or the Storage roles of a gcr.io bucket) in the registry's project",
    fetch: async (network) => {
      // Loaded on first use: the library is large and most runs never need it.
      const { GoogleAuth, gaxios } = await import('google-auth-library');
      // gaxios would read HTTPS_PROXY and NO_PROXY from process.env with its own rules (and
      // proxy the metadata server); with an agent it reads none. The token endpoints go
      // through the clients' transporter; the metadata server through gaxios's shared
      // instance, which gets the agent for this login only (one Google login runs at a time
      // in the process: its token is shared).
      const agent = await network.agent();
      const shared = gaxios.instance.defaults;
      const sharedAgent = shared.agent;
      shared.agent = agent;
      let token: string | null | undefined;
      let expiry: number | null | undefined;
      try {
        const auth = new GoogleAuth({
          scopes: SCOPES,
          projectId: UNUSED_PROJECT,
          clientOptions: { transporterOptions: { agent } },
        });
        const client = await auth.getClient();
        useAgentForTokenExchange(client, agent);
        token = (await client.getAccessToken()).token;
        expiry = client.credentials.expiry_date;
      } catch (err) {
        throw gcpError(registry, err);
      } finally {
        shared.agent = sharedAgent;
      }
      if (!token) {
        throw new UserError(
          `provider gcp: the application default credentials gave no access token for registry ${registry}: check GOOGLE_APPLICATION_CREDENTIALS or the metadata server`,
        );
      }
      return {
        credentials: { username: 'oauth2accesstoken', password: token },
        expiresAt: expiry ?? Date.now() + DEFAULT_LIFETIME_MS,
      };
    },
  };
}

/**
 * Workload identity federation exchanges the CI job's token at sts.googleapis.com through a
 * gaxios of its own that takes none of the client's options (`stsCredential` of the pinned
 * release, 10.9): it gets the agent too, or it would read the proxy from
 * process.env with gaxios's rules.
 */
function useAgentForTokenExchange(client: object, agent: Agent): void {
  const exchange = (
    client as { stsCredential?: { transporter?: { defaults?: { agent?: Agent } } } }
  ).stsCredential?.transporter?.defaults;
  if (exchange) exchange.agent = agent;
}

function gcpError(registry: string, err: unknown): UserError {
  const text = sdkErrorText(err);
  if (/could not load the default credentials/i.test(text)) {
    return new UserError(
      `provider gcp: no Google credentials to log in to registry ${registry} (${text}): configure application default credentials: GOOGLE_APPLICATION_CREDENTIALS (a service account key or a workload identity federation file), gcloud auth application-default login, or the metadata server of a Google Cloud machine`,
    );
  }
  return new UserError(
    `provider gcp: Google refused an access token for registry ${registry} (${text}): check the application default credentials (GOOGLE_APPLICATION_CREDENTIALS, the service account or the workload identity pool) and the network path to Google's token endpoint`,
  );
}
