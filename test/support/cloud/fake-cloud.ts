// FAKES of the clouds' token endpoints (ECR's GetAuthorizationToken, Entra ID, Google's
// OAuth2 token endpoint, ACR's /oauth2/exchange and the registries' token realm), in front
// of a REAL docker-registry with token auth. The clouds cannot be reached from here; the
// SDKs under test talk to these fakes through their own endpoint settings
// (AWS_ENDPOINT_URL_ECR, AZURE_AUTHORITY_HOST, a key file's token_uri), and the registry
// host names resolve to the front's loopback address through loopback-dns.mjs.
import {
  createPublicKey,
  createPrivateKey,
  generateKeyPairSync,
  randomBytes,
  randomInt,
  sign,
  verify,
  type KeyObject,
} from 'node:crypto';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import {
  createServer as createHttpServer,
  request as httpRequest,
  type IncomingMessage,
  type Server,
  type ServerResponse,
} from 'node:http';
import { createServer as createHttpsServer } from 'node:https';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { startRegistry, type TestRegistry } from '../registry.js';
import { generateCa, generateCertificates, generateSigningKey } from '../pki.js';
import { libtrustKeyId, parseScope } from '../token-server.js';

export type Cloud = 'aws' | 'azure' | 'gcp';

/** The registry host names the fakes answer for, one per cloud. */
export const REGISTRY_HOSTS: Readonly<Record<Cloud, string>> = {
  aws: '123456789012.dkr.ecr.eu-west-1.amazonaws.com',
  azure: 'fluxoci.azurecr.io',
  gcp: 'europe-west1-docker.pkg.dev',
};

/** ECR Public's registry, served by the front too (its credentials are AWS's). */
export const PUBLIC_ECR_HOST = 'public.ecr.aws';

/**
 * ECR's API host in the registry's region: the front answers it too, for clients that take
 * no endpoint setting (Flux's source-controller builds its ECR client without one).
 */
export const ECR_API_HOST = 'api.ecr.eu-west-1.amazonaws.com';

/** Entra ID's public authority host: the fake answers for it on the front too. */
export const ENTRA_HOST = 'login.microsoftonline.com';

/** Google's OAuth2 token endpoint (a service account key's token_uri), on the front too. */
export const GOOGLE_TOKEN_HOST = 'oauth2.googleapis.com';

/** ECR Public's API host (its tokens come from us-east-1), on the front too. */
export const ECR_PUBLIC_API_HOST = 'api.ecr-public.us-east-1.amazonaws.com';

/** STS's global and regional hosts (web identity), on the front too. */
export const AWS_STS_HOSTS: readonly string[] = [
  'sts.amazonaws.com',
  'sts.eu-west-1.amazonaws.com',
];

/** Google's Security Token Service (workload identity federation), on the front too. */
export const GOOGLE_STS_HOST = 'sts.googleapis.com';

/** The workload identity pool provider a federated Google credential names. */
const GOOGLE_WIF_AUDIENCE =
  '//iam.googleapis.com/projects/100000000001/locations/global/workloadIdentityPools/ci/providers/github';

/** Every host name the front answers for: the registries and the clouds' token APIs. */
export const FRONT_HOSTS: readonly string[] = [
  ...Object.values(REGISTRY_HOSTS),
  PUBLIC_ECR_HOST,
  ECR_API_HOST,
  ECR_PUBLIC_API_HOST,
  ...AWS_STS_HOSTS,
  ENTRA_HOST,
  GOOGLE_TOKEN_HOST,
  GOOGLE_STS_HOST,
];

/** The user each cloud's registry credentials carry. */
const REGISTRY_USERS: Readonly<Record<Cloud, string>> = {
  aws: 'AWS',
  azure: '00000000-0000-0000-0000-000000000000',
  gcp: 'oauth2accesstoken',
};

/** The AWS access key the fake ECR accepts, and one it denies GetAuthorizationToken. */
export const AWS_ACCESS_KEY = 'AKIAFAKEFLUXOCI00001';
export const AWS_DENIED_ACCESS_KEY = 'AKIAFAKEFLUXOCIDENY1';
export const AWS_ROLE = 'arn:aws:iam::123456789012:role/flux-oci-ci';
export const GOOGLE_SERVICE_ACCOUNT = 'flux-oci@flux-oci-test.iam.gserviceaccount.com';
export const AZURE_TENANT = '72f988bf-0000-0000-0000-00000000f1ux';
export const AZURE_CLIENT = 'c0ffee00-0000-0000-0000-00000000f1ux';
const AZURE_SECRET = 'fake-entra-client-secret';

/** One credential a fake issued: a registry password (ECR, Google, ACR) or an Entra token. */
interface Issued {
  readonly cloud: Cloud;
  readonly kind: 'registry' | 'entra';
  readonly expiresAt: number;
  revoked: boolean;
}

/** What the fakes were asked, for assertions. */
export interface FakeCloudCalls {
  /** STS AssumeRoleWithWebIdentity calls: the role, and whether the token was the file's. */
  readonly sts: { roleArn: string; ok: boolean }[];
  /** ECR GetAuthorizationToken calls: the access key and region they were signed with. */
  readonly ecr: { accessKey: string; region: string; service: string }[];
  /** Entra ID token requests (client credentials), with the scope asked for and how the client proved itself. */
  readonly entra: {
    tenant: string;
    clientId: string;
    scope: string;
    proof: 'secret' | 'assertion' | 'none';
  }[];
  /** ACR `/oauth2/exchange` calls. */
  readonly exchange: { service: string; ok: boolean }[];
  /** Google access token requests (metadata server, or a service account's JWT), with the scopes asked for. */
  readonly google: { scope: string; ok: boolean }[];
  /** Token realm requests: the user, whether the password was accepted, and why not. */
  readonly realm: { user: string; ok: boolean; reason?: string }[];
}

export interface FakeCloud {
  /** The loopback address whose port 443 serves every registry host (the front). */
  readonly frontAddress: string;
  /** `https://127.0.0.1:<port>`: the clouds' APIs (ECR, STS). */
  readonly apiOrigin: string;
  /** `127.0.0.1:<port>`: the GCE metadata server. */
  readonly metadataHost: string;
  /** `oci://` host of each cloud's registry (port 443 of the front). */
  readonly hosts: Readonly<Record<Cloud, string>>;
  readonly caFile: string;
  readonly calls: FakeCloudCalls;
  /**
   * How far the clouds' clock (expiry of what they issue) is ahead of this machine's: set by
   * a POST to `clockUrl`, with the step process's own clock (steps.mjs `advanceMs`), so
   * expiry is tested without waiting for it. Credentials last 1 hour on it. @default 0
   */
  clockOffsetMs: number;
  /** The token realm refuses every registry credential (a role removed). @default false */
  refuseRegistryLogins: boolean;
  /** The metadata server refuses Google access tokens. @default false */
  refuseGoogleTokens: boolean;
  /**
   * A URL whose POST revokes every registry credential issued so far (the realm refuses
   * them from then on), for a process that runs several commands.
   */
  readonly revokeUrl: string;
  /** A URL whose POST sets `clockOffsetMs`, for a process that runs several commands. */
  clockUrl(offsetMs: number): string;
  /** Every registry credential and Entra token issued so far: none may ever be printed. */
  issuedSecrets(): string[];
  /** The environment a flux-oci process needs to log in with `cloud` against the fakes. */
  env(cloud: Cloud): NodeJS.ProcessEnv;
  /**
   * The environment of a CI job with a federated identity, no secret: AWS web identity
   * (IRSA, GitHub OIDC: AWS_WEB_IDENTITY_TOKEN_FILE with AWS_ROLE_ARN, through STS) or Azure
   * workload identity (AZURE_FEDERATED_TOKEN_FILE, a client assertion at Entra ID), or
   * Google workload identity federation (an external account file: the token file exchanged
   * at sts.googleapis.com).
   */
  federatedEnv(cloud: 'aws' | 'azure' | 'gcp'): NodeJS.ProcessEnv;
  /**
   * The environment of a CI job with a Google service account key file
   * (GOOGLE_APPLICATION_CREDENTIALS), whose token comes from oauth2.googleapis.com.
   */
  serviceAccountEnv(): NodeJS.ProcessEnv;
  /** An environment with no credentials of any cloud (for the failure tests). */
  bareEnv(): NodeJS.ProcessEnv;
  stop(): Promise<void>;
}

const PRELOAD = resolve(import.meta.dirname, 'loopback-dns.mjs');

/** Starts the real registry, its front on port 443 of a random loopback address, and the fakes. */
export async function startFakeCloud(): Promise<FakeCloud> {
  const dir = await mkdtemp(join(tmpdir(), 'flux-oci-cloud-'));
  const servers: Server[] = [];
  let registry: TestRegistry | undefined;
  try {
    const ca = await generateCa(dir);
    const certs = await generateCertificates(dir, ca, [...FRONT_HOSTS]);
    const signing = await generateSigningKey(dir);
    const signingKey = createPrivateKey(await readFile(signing.keyFile));
    const kid = libtrustKeyId(
      createPublicKey(await readFile(signing.certFile)).export({ type: 'spki', format: 'der' }),
    );
    const tls = { cert: await readFile(certs.certFile), key: await readFile(certs.keyFile) };

    const issued = new Map<string, Issued>();
    /** Access keys STS handed out for the web identity. */
    const issuedKeys = new Set<string>();
    /** The OIDC token a CI system would write for the job (GitHub's, a service account's). */
    const federatedToken = `${b64url({ alg: 'RS256', typ: 'JWT' })}.${b64url({ iss: 'https://token.actions.githubusercontent.com', sub: 'repo:acme/fleet:ref:refs/heads/main', aud: 'sts.amazonaws.com' })}.${randomBytes(32).toString('base64url')}`;
    // A service account key (what GOOGLE_APPLICATION_CREDENTIALS names in a CI job): the
    // client signs a JWT with it, the token endpoint checks the signature.
    const serviceAccount = generateKeyPairSync('rsa', { modulusLength: 2048 });
    const serviceAccountFile = join(dir, 'service-account.json');
    await writeFile(
      serviceAccountFile,
      JSON.stringify({
        type: 'service_account',
        project_id: 'flux-oci-test',
        private_key_id: 'fake-key-1',
        private_key: serviceAccount.privateKey.export({ type: 'pkcs8', format: 'pem' }),
        client_email: GOOGLE_SERVICE_ACCOUNT,
        client_id: '100000000000000000001',
        token_uri: `https://${GOOGLE_TOKEN_HOST}/token`,
      }),
    );
    const federatedTokenFile = join(dir, 'federated-token');
    await writeFile(federatedTokenFile, federatedToken);
    const calls: FakeCloudCalls = {
      sts: [],
      ecr: [],
      entra: [],
      exchange: [],
      google: [],
      realm: [],
    };
    const state = {
      lifetimeSeconds: 3600,
      refuseRegistry: false,
      refuseGoogle: false,
      clockOffsetMs: 0,
    };
    // The clouds' clock for the credentials they issue (clockOffsetMs).
    const cloudNow = (): number => Date.now() + state.clockOffsetMs;
    const issue: IssueFn = (cloud, kind, prefix) => {
      const expiresAt = cloudNow() + state.lifetimeSeconds * 1000;
      const token = `${prefix}${randomBytes(24).toString('base64url')}`;
      issued.set(token, { cloud, kind, expiresAt, revoked: false });
      return [token, expiresAt, state.lifetimeSeconds];
    };
    const valid = (token: string, cloud: Cloud, kind: Issued['kind']): string | undefined => {
      const entry = issued.get(token);
      if (!entry || entry.cloud !== cloud || entry.kind !== kind) return 'unknown token';
      if (entry.revoked) return 'revoked';
      if (kind === 'registry' && state.refuseRegistry) return 'refused';
      if (entry.expiresAt <= cloudNow()) return 'expired';
      return undefined;
    };

    // The API server: the clouds' token endpoints (ECR, STS, Entra ID's fallbacks).
    const service = 'fake-cloud-registry';
    const issuer = 'fake-cloud-issuer';
    const api = createHttpsServer(tls, (req, res) => {
      void readBody(req).then((body) => {
        const url = new URL(req.url ?? '/', 'https://127.0.0.1');
        const form = new URLSearchParams(body);
        if (req.method === 'POST' && form.get('Action') === 'AssumeRoleWithWebIdentity') {
          return stsWebIdentity(res, form, calls, issuedKeys, federatedToken);
        }
        if (req.method === 'POST' && url.pathname === '/test/revoke') {
          for (const entry of issued.values()) if (entry.kind === 'registry') entry.revoked = true;
          return json(res, 200, {});
        }
        if (req.method === 'POST' && url.pathname === '/test/clock') {
          state.clockOffsetMs = Number(url.searchParams.get('offsetMs'));
          return json(res, 200, {});
        }
        const target = String(req.headers['x-amz-target'] ?? '');
        if (req.method === 'POST' && target.endsWith('.GetAuthorizationToken')) {
          return ecrToken(
            req,
            res,
            calls,
            issue,
            issuedKeys,
            target.startsWith('SpencerFrontendService'),
          );
        }
        json(res, 404, { error: `the fake cloud has no ${req.method} ${url.pathname}` });
      });
    });
    servers.push(api);
    await new Promise<void>((done) => api.listen(0, '127.0.0.1', done));
    const apiOrigin = `https://127.0.0.1:${(api.address() as AddressInfo).port}`;

    registry = await startRegistry({
      tokenRealm: {
        // The front rewrites it to the registry host the client asked (as ACR and Artifact
        // Registry name their own host): Flux refuses a realm on a loopback address.
        realm: 'https://realm.invalid/oauth2/token',
        service,
        issuer,
        certFile: signing.certFile,
      },
    });
    const [registryHost, registryPort] = registry.host.split(':');

    // The front: each cloud registry's host on 443; ACR's /oauth2/exchange, else the registry.
    const front = createHttpsServer(tls, (req, res) => {
      const url = new URL(req.url ?? '/', 'https://127.0.0.1');
      if (req.headers.host === ENTRA_HOST) {
        void readBody(req).then((body) =>
          entraEndpoint(res, url, body, calls, issue, federatedToken),
        );
        return;
      }
      if (req.headers.host === GOOGLE_TOKEN_HOST) {
        void readBody(req).then((body) =>
          googleToken(res, url, body, calls, issue, serviceAccount.publicKey, state.refuseGoogle),
        );
        return;
      }
      if (req.headers.host === GOOGLE_STS_HOST) {
        void readBody(req).then((body) =>
          googleSts(res, url, body, calls, issue, federatedToken, state.refuseGoogle),
        );
        return;
      }
      if (AWS_STS_HOSTS.includes(req.headers.host ?? '')) {
        void readBody(req).then((body) =>
          stsWebIdentity(res, new URLSearchParams(body), calls, issuedKeys, federatedToken),
        );
        return;
      }
      if (req.headers.host === ECR_API_HOST || req.headers.host === ECR_PUBLIC_API_HOST) {
        const target = String(req.headers['x-amz-target'] ?? '');
        void readBody(req).then(() =>
          ecrToken(req, res, calls, issue, issuedKeys, target.startsWith('SpencerFrontendService')),
        );
        return;
      }
      if (url.pathname === '/oauth2/token') {
        return registryToken(req, res, url, calls, valid, { signingKey, kid, service, issuer });
      }
      if (req.url?.startsWith('/oauth2/exchange')) {
        void readBody(req).then((body) => acrExchange(req, res, body, calls, valid, issue));
        return;
      }
      const upstream = httpRequest(
        {
          host: registryHost,
          port: Number(registryPort),
          method: req.method,
          path: req.url,
          headers: { ...req.headers, 'x-forwarded-proto': 'https' },
        },
        (up) => {
          const challenge = up.headers['www-authenticate'];
          if (typeof challenge === 'string') {
            up.headers['www-authenticate'] = challenge.replace(
              'https://realm.invalid/',
              `https://${req.headers.host}/`,
            );
          }
          res.writeHead(up.statusCode ?? 502, up.headers);
          up.pipe(res);
        },
      );
      upstream.on('error', (err) => json(res, 502, { error: err.message }));
      req.pipe(upstream);
    });
    servers.push(front);
    const frontAddress = await listenOnLoopback443(front);

    // The GCE metadata server (plain HTTP, as the real one): the service account's token.
    const metadata = createHttpServer((req, res) =>
      metadataEndpoint(req, res, calls, issue, state.refuseGoogle),
    );
    servers.push(metadata);
    await new Promise<void>((done) => metadata.listen(0, '127.0.0.1', done));
    const metadataHost = `127.0.0.1:${(metadata.address() as AddressInfo).port}`;
    const home = join(dir, 'home');

    const bareEnv = (): NodeJS.ProcessEnv => {
      const env: NodeJS.ProcessEnv = {};
      for (const [name, value] of Object.entries(process.env)) {
        if (
          !/^(AWS_|AZURE_|GOOGLE_|GCE_|CLOUDSDK_|IDENTITY_|MSI_|DOCKER_CONFIG|REGISTRY_AUTH_FILE|NODE_OPTIONS)/.test(
            name,
          )
        ) {
          env[name] = value;
        }
      }
      return {
        ...env,
        HOME: home,
        NODE_OPTIONS: `--import=${PRELOAD}`,
        FLUX_OCI_TEST_HOSTS: FRONT_HOSTS.map((host) => `${host}=${frontAddress}`).join(','),
        NODE_EXTRA_CA_CERTS: ca.caFile,
        // No SDK may look for a machine identity: the loopback-dns guard would refuse the
        // connection anyway, but these keep the SDKs from trying (and waiting).
        AWS_EC2_METADATA_DISABLED: 'true',
        METADATA_SERVER_DETECTION: 'none',
        AZURE_POD_IDENTITY_AUTHORITY_HOST: `http://${metadataHost}`,
      };
    };
    const env = (cloud: Cloud): NodeJS.ProcessEnv => {
      const base = bareEnv();
      switch (cloud) {
        case 'aws':
          return {
            ...base,
            AWS_ACCESS_KEY_ID: AWS_ACCESS_KEY,
            AWS_SECRET_ACCESS_KEY: 'fake-secret-access-key',
            AWS_ENDPOINT_URL_ECR: apiOrigin,
            AWS_ENDPOINT_URL_ECR_PUBLIC: apiOrigin,
          };
        case 'azure':
          return {
            ...base,
            AZURE_TENANT_ID: AZURE_TENANT,
            AZURE_CLIENT_ID: AZURE_CLIENT,
            AZURE_CLIENT_SECRET: AZURE_SECRET,
          };
        case 'gcp': {
          // A Google Cloud machine: application default credentials from its metadata server.
          return { ...base, METADATA_SERVER_DETECTION: undefined, GCE_METADATA_HOST: metadataHost };
        }
      }
    };

    const serviceAccountEnv = (): NodeJS.ProcessEnv => ({
      ...bareEnv(),
      GOOGLE_APPLICATION_CREDENTIALS: serviceAccountFile,
    });

    // Workload identity federation: the CI job's OIDC token file, exchanged at Google's STS.
    const externalAccountFile = join(dir, 'external-account.json');
    await writeFile(
      externalAccountFile,
      JSON.stringify({
        type: 'external_account',
        audience: GOOGLE_WIF_AUDIENCE,
        subject_token_type: 'urn:ietf:params:oauth:token-type:jwt',
        token_url: `https://${GOOGLE_STS_HOST}/v1/token`,
        credential_source: { file: federatedTokenFile },
      }),
    );

    const federatedEnv = (cloud: 'aws' | 'azure' | 'gcp'): NodeJS.ProcessEnv =>
      cloud === 'gcp'
        ? { ...bareEnv(), GOOGLE_APPLICATION_CREDENTIALS: externalAccountFile }
        : cloud === 'aws'
          ? {
              ...bareEnv(),
              AWS_WEB_IDENTITY_TOKEN_FILE: federatedTokenFile,
              AWS_ROLE_ARN: AWS_ROLE,
              AWS_ROLE_SESSION_NAME: 'flux-oci-ci',
              AWS_ENDPOINT_URL_STS: apiOrigin,
              AWS_ENDPOINT_URL_ECR: apiOrigin,
            }
          : {
              ...bareEnv(),
              AZURE_TENANT_ID: AZURE_TENANT,
              AZURE_CLIENT_ID: AZURE_CLIENT,
              AZURE_FEDERATED_TOKEN_FILE: federatedTokenFile,
            };

    return {
      frontAddress,
      apiOrigin,
      metadataHost,
      hosts: REGISTRY_HOSTS,
      federatedEnv,
      serviceAccountEnv,
      caFile: ca.caFile,
      calls,
      get clockOffsetMs() {
        return state.clockOffsetMs;
      },
      set clockOffsetMs(offsetMs: number) {
        state.clockOffsetMs = offsetMs;
      },
      get refuseRegistryLogins() {
        return state.refuseRegistry;
      },
      set refuseRegistryLogins(refuse: boolean) {
        state.refuseRegistry = refuse;
      },
      get refuseGoogleTokens() {
        return state.refuseGoogle;
      },
      set refuseGoogleTokens(refuse: boolean) {
        state.refuseGoogle = refuse;
      },
      revokeUrl: `${apiOrigin}/test/revoke`,
      clockUrl: (offsetMs) => `${apiOrigin}/test/clock?offsetMs=${offsetMs}`,
      issuedSecrets: () => [...issued.keys()],
      env,
      bareEnv,
      stop: async () => {
        await closeAll(servers);
        await registry?.stop();
        await rm(dir, { recursive: true, force: true });
      },
    };
  } catch (err) {
    await closeAll(servers);
    await registry?.stop();
    await rm(dir, { recursive: true, force: true });
    throw err;
  }
}

/** A new credential, its expiry on the clouds' clock, and its lifetime in seconds. */
type IssueFn = (cloud: Cloud, kind: Issued['kind'], prefix: string) => [string, number, number];
type ValidFn = (token: string, cloud: Cloud, kind: Issued['kind']) => string | undefined;

/** ECR GetAuthorizationToken (awsJson1_1): the SigV4 Authorization header names the key. */
function ecrToken(
  req: IncomingMessage,
  res: ServerResponse,
  calls: FakeCloudCalls,
  issue: IssueFn,
  issuedKeys: ReadonlySet<string>,
  publicEcr: boolean,
): void {
  // Credential=<key>/<date>/<region>/<service>/aws4_request. The signature itself is not
  // checked: the fake has no use for the secret beyond seeing that the SDK signed.
  const credential = /Credential=([^/]+)\/\d{8}\/([^/]+)\/([^/]+)\/aws4_request/.exec(
    String(req.headers.authorization ?? ''),
  );
  if (!credential) {
    return awsError(res, 'MissingAuthenticationTokenException', 'Missing Authentication Token');
  }
  const [, accessKey, region, service] = credential;
  calls.ecr.push({ accessKey, region, service });
  if (accessKey === AWS_DENIED_ACCESS_KEY) {
    return awsError(
      res,
      'AccessDeniedException',
      'User: arn:aws:iam::123456789012:user/ci is not authorized to perform: ecr:GetAuthorizationToken on resource: * because no identity-based policy allows the ecr:GetAuthorizationToken action',
    );
  }
  if (accessKey !== AWS_ACCESS_KEY && !issuedKeys.has(accessKey)) {
    return awsError(
      res,
      'UnrecognizedClientException',
      'The security token included in the request is invalid.',
    );
  }
  const [token, expiresAt] = issue('aws', 'registry', 'ecr-');
  const authorizationToken = Buffer.from(`AWS:${token}`).toString('base64');
  res.writeHead(200, { 'content-type': 'application/x-amz-json-1.1' });
  res.end(
    JSON.stringify({
      // ECR Public answers one object, ECR a list with the registry's proxy endpoint.
      authorizationData: publicEcr
        ? { authorizationToken, expiresAt: expiresAt / 1000 }
        : [
            {
              authorizationToken,
              expiresAt: expiresAt / 1000,
              proxyEndpoint: `https://${REGISTRY_HOSTS.aws}`,
            },
          ],
    }),
  );
}

/** STS AssumeRoleWithWebIdentity (query protocol, XML): the job's OIDC token for role keys. */
function stsWebIdentity(
  res: ServerResponse,
  form: URLSearchParams,
  calls: FakeCloudCalls,
  issuedKeys: Set<string>,
  federatedToken: string,
): void {
  const roleArn = form.get('RoleArn') ?? '';
  const ok = roleArn === AWS_ROLE && form.get('WebIdentityToken') === federatedToken;
  calls.sts.push({ roleArn, ok });
  if (!ok) {
    res.writeHead(400, { 'content-type': 'text/xml' });
    res.end(
      '<ErrorResponse><Error><Type>Sender</Type><Code>AccessDenied</Code><Message>Not authorized to perform sts:AssumeRoleWithWebIdentity</Message></Error><RequestId>fake</RequestId></ErrorResponse>',
    );
    return;
  }
  const accessKey = `ASIA${randomBytes(8).toString('hex').toUpperCase()}`;
  issuedKeys.add(accessKey);
  const expiration = new Date(Date.now() + 3600_000).toISOString();
  res.writeHead(200, { 'content-type': 'text/xml' });
  res.end(
    `<AssumeRoleWithWebIdentityResponse xmlns="https://sts.amazonaws.com/doc/2011-06-15/"><AssumeRoleWithWebIdentityResult><Credentials><AccessKeyId>${accessKey}</AccessKeyId><SecretAccessKey>${randomBytes(20).toString('hex')}</SecretAccessKey><SessionToken>${randomBytes(32).toString('hex')}</SessionToken><Expiration>${expiration}</Expiration></Credentials><SubjectFromWebIdentityToken>repo:acme/fleet:ref:refs/heads/main</SubjectFromWebIdentityToken><AssumedRoleUser><Arn>arn:aws:sts::123456789012:assumed-role/flux-oci-ci/flux-oci-ci</Arn><AssumedRoleId>AROAFAKE:flux-oci-ci</AssumedRoleId></AssumedRoleUser><Audience>sts.amazonaws.com</Audience></AssumeRoleWithWebIdentityResult><ResponseMetadata><RequestId>fake</RequestId></ResponseMetadata></AssumeRoleWithWebIdentityResponse>`,
  );
}

function awsError(res: ServerResponse, type: string, message: string): void {
  res.writeHead(400, { 'content-type': 'application/x-amz-json-1.1', 'x-amzn-errortype': type });
  res.end(JSON.stringify({ __type: type, message }));
}

/**
 * Entra ID at its public authority host: instance discovery, the tenant's OpenID
 * configuration and its v2.0 token endpoint (client credentials with a client secret).
 */
function entraEndpoint(
  res: ServerResponse,
  url: URL,
  body: string,
  calls: FakeCloudCalls,
  issue: IssueFn,
  federatedToken: string,
): void {
  const origin = `https://${ENTRA_HOST}`;
  if (url.pathname === '/common/discovery/instance') {
    return json(res, 200, {
      tenant_discovery_endpoint: `${origin}/{tenant}/v2.0/.well-known/openid-configuration`,
      'api-version': '1.1',
      metadata: [
        { preferred_network: ENTRA_HOST, preferred_cache: ENTRA_HOST, aliases: [ENTRA_HOST] },
      ],
    });
  }
  const match =
    /^\/([^/]+)\/(v2\.0\/\.well-known\/openid-configuration|oauth2\/v2\.0\/token)$/.exec(
      url.pathname,
    );
  if (!match) return json(res, 404, { error: `the fake Entra ID has no ${url.pathname}` });
  const [, tenant, path] = match;
  if (path.startsWith('v2.0')) {
    return json(res, 200, {
      token_endpoint: `${origin}/${tenant}/oauth2/v2.0/token`,
      authorization_endpoint: `${origin}/${tenant}/oauth2/v2.0/authorize`,
      end_session_endpoint: `${origin}/${tenant}/oauth2/v2.0/logout`,
      issuer: `${origin}/${tenant}/v2.0`,
      jwks_uri: `${origin}/${tenant}/discovery/v2.0/keys`,
      response_types_supported: ['code', 'id_token', 'code id_token', 'id_token token'],
    });
  }
  const form = new URLSearchParams(body);
  const clientId = form.get('client_id') ?? '';
  const scope = form.get('scope') ?? '';
  const proof = form.has('client_secret')
    ? 'secret'
    : form.has('client_assertion')
      ? 'assertion'
      : 'none';
  calls.entra.push({ tenant, clientId, scope, proof });
  const proven =
    proof === 'secret'
      ? form.get('client_secret') === AZURE_SECRET
      : proof === 'assertion' &&
        form.get('client_assertion_type') ===
          'urn:ietf:params:oauth:client-assertion-type:jwt-bearer' &&
        form.get('client_assertion') === federatedToken;
  if (
    tenant !== AZURE_TENANT ||
    clientId !== AZURE_CLIENT ||
    !proven ||
    form.get('grant_type') !== 'client_credentials'
  ) {
    return json(res, 401, {
      error: 'invalid_client',
      error_description: `AADSTS7000215: Invalid client secret provided. Ensure the secret being sent in the request is the client secret value, not the client secret ID, for a secret added to app '${clientId}'.`,
      error_codes: [7000215],
    });
  }
  const [token] = issue('azure', 'entra', 'entra-');
  json(res, 200, {
    token_type: 'Bearer',
    expires_in: 3599,
    ext_expires_in: 3599,
    access_token: token,
  });
}

/** ACR's `/oauth2/exchange`: an Entra ID access token for a registry refresh token (a JWT). */
function acrExchange(
  req: IncomingMessage,
  res: ServerResponse,
  body: string,
  calls: FakeCloudCalls,
  valid: ValidFn,
  issue: IssueFn,
): void {
  const form = new URLSearchParams(body);
  const service = form.get('service') ?? '';
  const problem =
    req.method !== 'POST' || form.get('grant_type') !== 'access_token'
      ? 'bad grant'
      : service !== REGISTRY_HOSTS.azure
        ? 'wrong service'
        : valid(form.get('access_token') ?? '', 'azure', 'entra');
  calls.exchange.push({ service, ok: !problem });
  if (problem) {
    return json(res, 401, {
      errors: [{ code: 'UNAUTHORIZED', message: `exchange refused: ${problem}` }],
    });
  }
  const [secret, expiresAt] = issue('azure', 'registry', '');
  // A JWT-shaped refresh token whose exp the client reads; the fake knows it by its secret.
  const payload = { exp: Math.floor(expiresAt / 1000), jti: secret };
  const token = `${b64url({ alg: 'none', typ: 'JWT' })}.${b64url(payload)}.${secret}`;
  json(res, 200, { refresh_token: token });
}

/**
 * The GCE metadata server (and Azure's IMDS, without an identity): answers the detection probe and hands out the default service
 * account's access token (`Metadata-Flavor: Google` required both ways, as the real one).
 */
function metadataEndpoint(
  req: IncomingMessage,
  res: ServerResponse,
  calls: FakeCloudCalls,
  issue: IssueFn,
  refuse: boolean,
): void {
  const url = new URL(req.url ?? '/', 'http://127.0.0.1');
  if (url.pathname.startsWith('/metadata/identity/')) {
    // Azure's IMDS on a machine without a managed identity, which is what the tests' machine is.
    res.writeHead(400, { 'content-type': 'application/json' });
    res.end(JSON.stringify({ error: 'invalid_request', error_description: 'Identity not found' }));
    return;
  }
  const flavor = { 'metadata-flavor': 'Google' };
  if (req.headers['metadata-flavor'] !== 'Google') {
    res.writeHead(403, flavor);
    res.end('Missing Metadata-Flavor:Google header.');
    return;
  }
  if (url.pathname === '/computeMetadata/v1/instance/service-accounts/default/token') {
    const scope = url.searchParams.get('scopes') ?? '';
    calls.google.push({ scope, ok: !refuse });
    if (refuse) {
      res.writeHead(403, flavor);
      res.end(
        'The service account flux-oci@flux-oci-test.iam.gserviceaccount.com is disabled or has no access to the requested scopes.',
      );
      return;
    }
    const [token, , lifetimeSeconds] = issue('gcp', 'registry', 'ya29.');
    res.writeHead(200, { ...flavor, 'content-type': 'application/json' });
    res.end(
      JSON.stringify({
        access_token: token,
        expires_in: lifetimeSeconds,
        token_type: 'Bearer',
      }),
    );
    return;
  }
  if (url.pathname === '/computeMetadata/v1/instance' || url.pathname === '/computeMetadata/v1/') {
    res.writeHead(200, { ...flavor, 'content-type': 'application/text' });
    res.end('attributes/\nservice-accounts/\n');
    return;
  }
  res.writeHead(404, flavor);
  res.end('not found');
}

/**
 * Google's OAuth2 token endpoint, JWT bearer grant: the service account's signed assertion
 * (RS256, checked with its public key) for an access token.
 */
function googleToken(
  res: ServerResponse,
  url: URL,
  body: string,
  calls: FakeCloudCalls,
  issue: IssueFn,
  publicKey: KeyObject,
  refuse: boolean,
): void {
  const form = new URLSearchParams(body);
  const [header = '', payload = '', signature = ''] = (form.get('assertion') ?? '').split('.');
  const signed = verify(
    'sha256',
    Buffer.from(`${header}.${payload}`),
    publicKey,
    Buffer.from(signature, 'base64url'),
  );
  let claims: { iss?: string; scope?: string; aud?: string } = {};
  try {
    claims = JSON.parse(Buffer.from(payload, 'base64url').toString('utf8')) as typeof claims;
  } catch {
    // not a JWT: refused below
  }
  const ok =
    !refuse &&
    url.pathname === '/token' &&
    form.get('grant_type') === 'urn:ietf:params:oauth:grant-type:jwt-bearer' &&
    signed &&
    claims.iss === GOOGLE_SERVICE_ACCOUNT;
  calls.google.push({ scope: claims.scope ?? '', ok });
  if (!ok) {
    return json(res, 400, { error: 'invalid_grant', error_description: 'Invalid JWT Signature.' });
  }
  const [token, , lifetimeSeconds] = issue('gcp', 'registry', 'ya29.');
  json(res, 200, { access_token: token, expires_in: lifetimeSeconds, token_type: 'Bearer' });
}

/** Google's STS: the CI job's OIDC token, for the pool's audience, for an access token. */
function googleSts(
  res: ServerResponse,
  url: URL,
  body: string,
  calls: FakeCloudCalls,
  issue: IssueFn,
  federatedToken: string,
  refuse: boolean,
): void {
  const form = new URLSearchParams(body);
  const ok =
    !refuse &&
    url.pathname === '/v1/token' &&
    form.get('grant_type') === 'urn:ietf:params:oauth:grant-type:token-exchange' &&
    form.get('audience') === GOOGLE_WIF_AUDIENCE &&
    form.get('subject_token') === federatedToken;
  calls.google.push({ scope: form.get('scope') ?? '', ok });
  if (!ok) {
    return json(res, 400, {
      error: 'invalid_grant',
      error_description: 'The audience or the subject token is invalid.',
    });
  }
  const [token, , lifetimeSeconds] = issue('gcp', 'registry', 'ya29.');
  json(res, 200, {
    access_token: token,
    issued_token_type: 'urn:ietf:params:oauth:token-type:access_token',
    token_type: 'Bearer',
    expires_in: lifetimeSeconds,
  });
}

/** The registry's token realm: Basic credentials a fake issued, for a signed registry token. */
function registryToken(
  req: IncomingMessage,
  res: ServerResponse,
  url: URL,
  calls: FakeCloudCalls,
  valid: ValidFn,
  signer: { signingKey: KeyObject; kid: string; service: string; issuer: string },
): void {
  const header = String(req.headers.authorization ?? '');
  const decoded = header.startsWith('Basic ')
    ? Buffer.from(header.slice(6), 'base64').toString('utf8')
    : '';
  const colon = decoded.indexOf(':');
  const user = colon >= 0 ? decoded.slice(0, colon) : '';
  let password = colon >= 0 ? decoded.slice(colon + 1) : '';
  const cloud = (Object.keys(REGISTRY_USERS) as Cloud[]).find((c) => REGISTRY_USERS[c] === user);
  // ACR's password is the refresh token JWT; the fake knows it by its last part.
  if (cloud === 'azure') password = password.split('.')[2] ?? '';
  const reason = !cloud ? 'unknown user' : valid(password, cloud, 'registry');
  calls.realm.push({ user, ok: !reason, ...(reason ? { reason } : {}) });
  if (reason) {
    return json(res, 401, {
      errors: [{ code: 'UNAUTHORIZED', message: `authentication required (${reason})` }],
    });
  }
  const now = Math.floor(Date.now() / 1000);
  const claims = {
    iss: signer.issuer,
    sub: user,
    aud: signer.service,
    exp: now + 300,
    nbf: now - 10,
    iat: now,
    jti: randomBytes(8).toString('hex'),
    access: url.searchParams.getAll('scope').flatMap(parseScope),
  };
  const input = `${b64url({ typ: 'JWT', alg: 'ES256', kid: signer.kid })}.${b64url(claims)}`;
  const signature = sign('sha256', Buffer.from(input), {
    key: signer.signingKey,
    dsaEncoding: 'ieee-p1363',
  });
  json(res, 200, { token: `${input}.${signature.toString('base64url')}`, expires_in: 300 });
}

function b64url(value: unknown): string {
  return Buffer.from(JSON.stringify(value)).toString('base64url');
}

function json(res: ServerResponse, status: number, body: unknown): void {
  res.writeHead(status, { 'content-type': 'application/json' });
  res.end(JSON.stringify(body));
}

function readBody(req: IncomingMessage): Promise<string> {
  return new Promise((done, fail) => {
    let body = '';
    req.on('data', (chunk: Buffer) => (body += chunk.toString()));
    req.on('end', () => done(body));
    req.on('error', fail);
  });
}

/** Listens on port 443 of a random 127.x.y.z (root may bind it); returns the address. */
async function listenOnLoopback443(server: Server): Promise<string> {
  for (let attempt = 1; ; attempt++) {
    const address = `127.${randomInt(1, 255)}.${randomInt(0, 256)}.${randomInt(1, 255)}`;
    try {
      await new Promise<void>((done, fail) => {
        server.once('error', fail);
        server.listen(443, address, () => {
          server.off('error', fail);
          done();
        });
      });
      return address;
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'EADDRINUSE' || attempt >= 5) throw err;
    }
  }
}

async function closeAll(servers: readonly Server[]): Promise<void> {
  await Promise.all(
    servers.map(
      (server) =>
        new Promise<void>((done) => {
          if (!server.listening) return done();
          server.closeAllConnections();
          server.close(() => done());
        }),
    ),
  );
}
