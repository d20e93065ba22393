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
      // through the clients' transporter, which takes the agent per client.
      const agent = await network.agent();
      const { token, expiry } = await withSharedGaxiosAgent(gaxios.instance, agent, async () => {
        try {
          const auth = new GoogleAuth({
            scopes: SCOPES,
            projectId: UNUSED_PROJECT,
            clientOptions: { transporterOptions: { agent } },
          });
          const client = await auth.getClient();
          useAgentForTokenExchange(client, agent);
          const { token } = await client.getAccessToken();
          return { token, expiry: client.credentials.expiry_date };
        } catch (err) {
          throw gcpError(registry, err);
        }
      });
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

/** The logins that lent gaxios's shared instance their agent, one after the other. */
let sharedAgentLogins: Promise<unknown> = Promise.resolve();

/**
 * Runs `login` with `agent` in the defaults of gaxios's process-wide instance: the metadata
 * server is reached through that instance only, as gcp-metadata 8.1 (under the pinned
 * Google auth library 10.9.1) takes no agent or Gaxios of its caller: only `params`,
 * `property` and `headers`. Another Google call of the process running meanwhile goes
 * through the agent too. One login at a time, so none saves another's agent as the one
 * to restore; and the agent is restored only if it is still ours, so a value the process
 * set meanwhile stays.
 */
export function withSharedGaxiosAgent<T>(
  shared: { defaults: { agent?: unknown } },
  agent: Agent,
  login: () => Promise<T>,
): Promise<T> {
  const turn = sharedAgentLogins.then(async () => {
    const before = shared.defaults.agent;
    shared.defaults.agent = agent;
    try {
      return await login();
    } finally {
      if (shared.defaults.agent === agent) shared.defaults.agent = before;
    }
  });
  sharedAgentLogins = turn.catch(() => undefined);
  return turn;
}

/**
 * Workload identity federation exchanges the CI job's token at sts.googleapis.com through a
 * gaxios of its own that takes none of the client's options (the private `stsCredential` of
 * the pinned release, 10.9.1; a test checks it is there): it gets the agent too, or it
 * would read the proxy from process.env with gaxios's rules.
 */
export function useAgentForTokenExchange(client: object, agent: Agent): void {
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
