import { PACKAGE_VERSION } from '../../version.js';
import { UserError } from '../../errors.js';
import { escapeControl } from '../../terminal-text.js';
import { checkCloudEnv, cloudLogin, type CloudLogin } from './auth/index.js';
import type { PostForm } from './auth/cloud-login.js';
import { parseChallenge, type AuthChallenge } from './challenge.js';
import {
  DEFAULT_TIMEOUT_MS,
  type RegistryClientOptions,
  type TransferProgress,
} from './client-options.js';
import { describeCredentials, type Credentials } from './credentials.js';
import { credentialsFromConfig } from './docker-config.js';
import { isLoopbackRegistry } from './http/loopback.js';
import {
  isCertificateError,
  networkError,
  RegistryResponseError,
  registryErrorText,
} from './registry-errors.js';
import {
  errorCode,
  isRetryableError,
  isRetryableStatus,
  parseRetryAfter,
  retryDelay,
  sleep,
  type RetryPolicy,
} from './http/retry.js';
import {
  headerValue,
  HttpTransport,
  ProxyConnectError,
  proxyFromEnv,
  type HttpRequest,
  type HttpResponse,
  type TransferStats,
} from './http/transport.js';

/** Whether `err` is a TLS handshake meeting a server that answers in plain HTTP. */
function speaksNoTls(err: unknown): boolean {
  const code = errorCode(err);
  return code === 'EPROTO' || code === 'ERR_SSL_WRONG_VERSION_NUMBER';
}

/** One request to the registry's API on behalf of a repository. */
export interface RegistryRequest extends Omit<HttpRequest, 'url'> {
  /** `/v2/...`, or a URL the registry returned (an upload Location, a redirect). */
  readonly path: string;
  /** The repository the request acts on: decides the token scope. */
  readonly repository: string;
  /** Needs push access (`pull,push` scope) rather than pull. @default false */
  readonly push?: boolean;
}

interface CachedToken {
  readonly token: string;
  readonly expiresAt: number;
}

/** Redirects GET and HEAD follow, as Go's http.Client does. */
const REDIRECT_STATUSES = new Set([301, 302, 303, 307, 308]);
/** More redirects than this in a row are a loop. */
const MAX_REDIRECTS = 5;
/** A path that is a whole URL (a Link, Location or redirect the registry returned). */
const ABSOLUTE_URL = /^https?:\/\//i;

/** Keep a token for at most this long, whatever the token server says. */
const MAX_TOKEN_LIFETIME_MS = 10 * 60_000;

/**
 * A client for one registry (`host[:port]`): owns the connections (one keep-alive pool),
 * learns the scheme (HTTPS, or HTTP when allowed) and the auth method from the registry's
 * challenges, and caches bearer tokens per scope. Reuse one client for several operations
 * on the same registry; `close()` it when done.
 */
export class RegistryClient {
  private readonly transport: HttpTransport;
  /** How failed requests are retried; operations retry multi-request steps with it too. */
  readonly retryPolicy: RetryPolicy;
  private scheme: 'https' | 'http' | undefined;
  private authScheme: 'basic' | 'bearer' | undefined;
  private bearerChallenge: AuthChallenge | undefined;
  private readonly tokens = new Map<string, CachedToken>();
  /** Token requests in flight, so parallel requests of one scope share one fetch. */
  private readonly tokenFetches = new Map<string, Promise<void>>();
  /** Auth-file lookups per repository (the file may have a key for one repository). */
  private readonly credentialsLookups = new Map<string, Promise<Credentials | undefined>>();
  /** The cloud login of `provider`; undefined for generic. */
  private readonly login: CloudLogin | undefined;

  constructor(
    readonly registry: string,
    readonly options: RegistryClientOptions = {},
  ) {
    this.retryPolicy = {
      retries: options.retries ?? 4,
      baseDelayMs: options.retryDelayMs ?? 500,
      maxDelayMs: 30_000,
    };
    const proxy = proxyFromEnv(options.env ?? process.env);
    this.transport = new HttpTransport({
      caFile: options.caFile,
      retry: this.retryPolicy,
      userAgent: options.userAgent ?? `flux-oci/${PACKAGE_VERSION}`,
      requestTimeoutMs: options.requestTimeoutMs ?? 60_000,
      proxy,
    });
    if (!this.plainHttpAllowed) this.scheme = 'https';
    // The cloud's SDK goes through the same proxies as the registry's requests.
    this.login = cloudLogin(options.provider ?? 'generic', registry, proxy);
    if (this.login && options.env) checkCloudEnv(this.login.provider, options.env);
    if (this.login && options.credentials) {
      throw new UserError(
        `provider ${this.login.provider} logs in with the cloud's identity: drop the credentials for registry ${registry}, or use provider generic`,
      );
    }
  }

  /** Requests and bytes sent and received so far, over all operations. */
  get stats(): Readonly<TransferStats> {
    return this.transport.stats;
  }

  /** The deadline of one operation (`timeoutMs`). */
  operationSignal(): AbortSignal {
    return AbortSignal.timeout(this.timeoutMs);
  }

  get timeoutMs(): number {
    return this.options.timeoutMs ?? DEFAULT_TIMEOUT_MS;
  }

  progress(event: TransferProgress): void {
    this.options.onProgress?.(event);
  }

  /**
   * Sends `req` with the credentials the registry asks for: on a 401 it answers the
   * challenge (Basic, or a bearer token for the request's scope) and sends again; a token
   * refused later (expired) is fetched anew once. GET and HEAD follow redirects. A URL the
   * registry returned (Link, Location, redirect) on another origin gets no credentials,
   * and one that leaves HTTPS for plain HTTP is refused unless plain HTTP was allowed.
   * Network failures become UserErrors.
   */
  async send(req: RegistryRequest): Promise<HttpResponse> {
    try {
      let res = await this.sendToOrigin(req);
      if (req.method !== 'GET' && req.method !== 'HEAD') return res;
      for (let hops = 0; REDIRECT_STATUSES.has(res.status); hops++) {
        const location = headerValue(res.headers, 'location');
        if (!location) return res;
        if (hops === MAX_REDIRECTS) {
          throw new UserError(
            `registry ${this.registry} redirected ${escapeControl(req.path)} more than ${MAX_REDIRECTS} times (last to ${escapeControl(location)}): check the registry`,
          );
        }
        const target = this.returnedUrl(location, res.url, 'a redirect');
        res = await this.sendToOrigin({ ...req, path: target.toString() });
      }
      return res;
    } catch (err) {
      throw networkError(err, this.registry, this.timeoutMs, req.signal);
    }
  }

  /**
   * A URL the registry returned (`what`: 'a redirect', 'an upload location', 'a token
   * realm', ...) resolved against the URL it came with; refused when it is plain HTTP and
   * plain HTTP was not allowed for this registry, or when it is not HTTP at all.
   */
  returnedUrl(value: string, base: string, what: string): URL {
    let url: URL;
    try {
      url = new URL(value, base);
    } catch {
      throw new UserError(
        `registry ${this.registry} sent ${what} that is not a URL ('${escapeControl(value)}'): check the registry`,
      );
    }
    if (url.protocol === 'https:') return url;
    if (url.protocol !== 'http:') {
      throw new UserError(
        `registry ${this.registry} sent ${what} that is not HTTP(S) (${escapeControl(url.toString())}): check the registry`,
      );
    }
    // Leaving HTTPS needs the flag; a loopback registry already on plain HTTP may name
    // another loopback URL (its token server).
    if (
      !this.options.allowInsecureHttp &&
      !(this.scheme === 'http' && isLoopbackRegistry(url.host))
    ) {
      throw new UserError(
        `registry ${this.registry} sent ${what} on plain HTTP (${escapeControl(url.toString())}): refusing to leave HTTPS; pass --allow-insecure-http to allow plain HTTP for this registry`,
      );
    }
    return url;
  }

  /**
   * Sends to the registry with its credentials, or, for a URL on another origin (scheme,
   * host and port), without any: credentials go only to the registry the user named.
   */
  private async sendToOrigin(req: RegistryRequest): Promise<HttpResponse> {
    if (!ABSOLUTE_URL.test(req.path)) return this.sendAuthorized(req);
    const url = this.returnedUrl(req.path, this.baseUrl, 'a URL');
    if (url.origin === new URL(this.baseUrl).origin) return this.sendAuthorized(req);
    const headers = Object.fromEntries(
      Object.entries(req.headers ?? {}).filter(([name]) => name.toLowerCase() !== 'authorization'),
    );
    const res = await this.transport.send({ ...req, url: url.toString(), headers });
    if (res.status === 401 || res.status === 407) {
      throw new UserError(
        `${url.origin} asks for credentials (${res.status}) for ${escapeControl(url.pathname)}, where registry ${this.registry} sent the request; credentials go only to the registry and its token server, so it cannot be followed: check the registry`,
      );
    }
    return res;
  }

  /**
   * With a cloud login, credentials the registry refuses (expired early, revoked) are
   * fetched anew from the cloud and the request sent again, once.
   */
  private async sendAuthorized(req: RegistryRequest): Promise<HttpResponse> {
    if (!this.login) return this.sendAuthorizedOnce(req);
    try {
      return await this.sendAuthorizedOnce(req);
    } catch (err) {
      if (!(err instanceof CredentialsRejectedError)) throw err;
      this.login.renew();
      this.tokens.clear();
      try {
        return await this.sendAuthorizedOnce(req);
      } catch (again) {
        throw again instanceof CredentialsRejectedError ? this.login.rejected(again) : again;
      }
    }
  }

  private async sendAuthorizedOnce(req: RegistryRequest): Promise<HttpResponse> {
    const scope = `repository:${req.repository}:${req.push ? 'pull,push' : 'pull'}`;
    let refreshedToken = false;
    for (;;) {
      const sentAuthScheme = this.authScheme;
      const authorization = await this.authorization(scope, req.repository, req.signal);
      const res = await this.sendWithScheme({
        ...req,
        headers: { ...req.headers, ...(authorization ? { authorization } : {}) },
      });
      if (res.status !== 401) return res;

      const challenge = parseChallenge(headerValue(res.headers, 'www-authenticate'));
      const credentials = await this.credentials(req.repository, req.signal);
      if (challenge?.scheme === 'basic' && sentAuthScheme !== 'basic') {
        if (!credentials || !('username' in credentials)) throw this.authRequired(res, credentials);
        this.authScheme = 'basic';
        continue;
      }
      if (
        challenge?.scheme === 'bearer' &&
        challenge.params.realm &&
        credentials &&
        'registryToken' in credentials
      ) {
        throw this.rejected(res, credentials);
      }
      if (challenge?.scheme === 'bearer' && challenge.params.realm) {
        const hadToken = sentAuthScheme === 'bearer' && authorization !== undefined;
        if (hadToken) {
          // A token we sent was refused: expired or revoked. Fetch a fresh one, once.
          if (refreshedToken) throw this.denied(res, credentials, req);
          refreshedToken = true;
        }
        this.authScheme = 'bearer';
        this.bearerChallenge = challenge;
        this.tokens.delete(scope);
        await this.fetchTokenOnce(scope, challenge, credentials, req.signal);
        continue;
      }
      throw credentials ? this.rejected(res, credentials) : this.authRequired(res, credentials);
    }
  }

  /**
   * Plain HTTP to the registry: with `allowInsecureHttp`, or for this machine (localhost,
   * 127.0.0.1, ::1) as in Flux and go-containerregistry. Loopback counts as allowed for the
   * credentials too: they cross no network.
   */
  private get plainHttpAllowed(): boolean {
    return Boolean(this.options.allowInsecureHttp) || isLoopbackRegistry(this.registry);
  }

  /**
   * Tries HTTPS first; where plain HTTP is allowed (`plainHttpAllowed`), falls back to HTTP for
   * a server without TLS, as go-containerregistry's transport does. This machine's registry is
   * asked over plain HTTP first (see `probeLoopback`).
   */
  private async sendWithScheme(req: RegistryRequest): Promise<HttpResponse> {
    const absolute = ABSOLUTE_URL.test(req.path);
    const send = (
      scheme: string,
      retry = req.retry,
      headers = req.headers,
    ): Promise<HttpResponse> =>
      this.transport.send({
        ...req,
        url: absolute ? req.path : `${scheme}://${this.registry}${req.path}`,
        retry,
        headers,
      });
    if (this.scheme || absolute) return send(this.scheme ?? 'https');
    if (isLoopbackRegistry(this.registry)) return this.probeLoopback(req, send);
    try {
      const res = await send('https');
      this.scheme = 'https';
      return res;
    } catch (err) {
      // A proxy that cannot be reached says nothing about the registry's scheme.
      if (req.signal?.aborted || isCertificateError(err) || err instanceof ProxyConnectError) {
        throw err;
      }
      const res = await send('http');
      this.scheme = 'http';
      return res;
    }
  }

  /**
   * This machine's registry (a kind cluster's local registry, the common case) usually speaks
   * plain HTTP: asking that first spares a TLS attempt, whose set-up (loading the system roots)
   * costs more than the whole request. A TLS server answers plain HTTP with 400 ("Client sent an
   * HTTP request to an HTTPS server") or drops the connection; HTTPS is tried then. Plain HTTP
   * crosses no network here, so nothing is exposed by asking it first.
   */
  private async probeLoopback(
    req: RegistryRequest,
    send: (
      scheme: string,
      retry?: boolean,
      headers?: Readonly<Record<string, string>>,
    ) => Promise<HttpResponse>,
  ): Promise<HttpResponse> {
    let plain: HttpResponse | undefined;
    let plainError: unknown;
    // Without credentials (a registry token is sent unasked): "loopback" may be a
    // forwarder to another machine, and the scheme is not known yet.
    const { authorization, ...unauthorized } = req.headers ?? {};
    try {
      // No retries: a TLS server drops plain HTTP, which must not be retried with backoff.
      plain = await send('http', false, unauthorized);
    } catch (err) {
      if (req.signal?.aborted) throw err;
      plainError = err;
    }
    if (plain && plain.status !== 400 && !this.redirectsToHttps(plain)) {
      this.scheme = 'http';
      if (plain.status === 401 && authorization !== undefined) return send('http');
      if (!isRetryableStatus(plain.status) || req.retry === false) return plain;
      // A busy registry: wait as it asks, then send with the usual retries.
      const retryAfter = parseRetryAfter(headerValue(plain.headers, 'retry-after'));
      await sleep(retryDelay(this.retryPolicy, 0, retryAfter), req.signal);
      return send('http');
    }
    try {
      const res = await send('https');
      this.scheme = 'https';
      return res;
    } catch (err) {
      if (req.signal?.aborted || isCertificateError(err)) throw err;
      if (!plain) {
        // Plain HTTP met a transient failure (a reset) and the server does not speak TLS:
        // plain HTTP it is, with the usual retries.
        if (req.retry !== false && isRetryableError(plainError) && speaksNoTls(err)) {
          this.scheme = 'http';
          return send('http');
        }
        throw plainError;
      }
      this.scheme = 'http';
      return plain;
    }
  }

  /**
   * Whether a plain answer sends the client to HTTPS on the registry's own host and port: a
   * TLS front (nginx's `error_page 497`) answering plain HTTP so, where Go's TLS server says 400.
   */
  private redirectsToHttps(plain: HttpResponse): boolean {
    if (plain.status < 300 || plain.status > 399) return false;
    const location = headerValue(plain.headers, 'location');
    if (!location) return false;
    try {
      const target = new URL(location, plain.url);
      return (
        target.protocol === 'https:' && target.host === new URL(`https://${this.registry}`).host
      );
    } catch {
      return false;
    }
  }

  /** The base URL the client settled on, e.g. `https://ghcr.io` (known after the first request). */
  get baseUrl(): string {
    return `${this.scheme ?? 'https'}://${this.registry}`;
  }

  private async authorization(
    scope: string,
    repository: string,
    signal?: AbortSignal,
  ): Promise<string | undefined> {
    const credentials = await this.credentials(repository, signal);
    if (credentials && 'registryToken' in credentials) return `Bearer ${credentials.registryToken}`;
    if (this.authScheme === 'basic' && credentials && 'username' in credentials) {
      return `Basic ${Buffer.from(`${credentials.username}:${credentials.password}`).toString('base64')}`;
    }
    if (this.authScheme === 'bearer' && this.bearerChallenge) {
      let cached = this.validToken(scope);
      if (!cached) {
        await this.fetchTokenOnce(scope, this.bearerChallenge, credentials, signal);
        cached = this.validToken(scope);
      }
      return cached ? `Bearer ${cached.token}` : undefined;
    }
    return undefined;
  }

  /** A cached token for `scope`; a push token serves pulls of the same repository too. */
  private validToken(scope: string): CachedToken | undefined {
    const now = Date.now();
    const valid = (t: CachedToken | undefined): CachedToken | undefined =>
      t && t.expiresAt > now ? t : undefined;
    return (
      valid(this.tokens.get(scope)) ??
      (scope.endsWith(':pull') ? valid(this.tokens.get(`${scope},push`)) : undefined)
    );
  }

  private fetchTokenOnce(
    scope: string,
    challenge: AuthChallenge,
    credentials: Credentials | undefined,
    signal?: AbortSignal,
  ): Promise<void> {
    let fetch = this.tokenFetches.get(scope);
    if (!fetch) {
      fetch = this.fetchToken(scope, challenge, credentials, signal).finally(() =>
        this.tokenFetches.delete(scope),
      );
      this.tokenFetches.set(scope, fetch);
    }
    return fetch;
  }

  /**
   * Gets a token for `scope` from the challenge's realm: Basic credentials on a GET, or an
   * identity token as an OAuth2 refresh-token grant on a POST (as docker and gcr do).
   */
  private async fetchToken(
    scope: string,
    challenge: AuthChallenge,
    credentials: Credentials | undefined,
    signal?: AbortSignal,
  ): Promise<void> {
    const realm = challenge.params.realm;
    // The registry names its token server (any origin), but credentials never leave HTTPS.
    const url = this.returnedUrl(realm, this.baseUrl, 'a token realm');
    const service = challenge.params.service;
    let res: HttpResponse;
    if (credentials && 'identityToken' in credentials) {
      const form = new URLSearchParams({
        grant_type: 'refresh_token',
        refresh_token: credentials.identityToken,
        client_id: 'flux-oci',
        scope,
        ...(service ? { service } : {}),
      });
      res = await this.transport.send({
        method: 'POST',
        url: url.toString(),
        headers: { 'content-type': 'application/x-www-form-urlencoded' },
        body: Buffer.from(form.toString()),
        signal,
        maxResponseBytes: 1024 * 1024,
      });
    } else {
      if (service) url.searchParams.set('service', service);
      url.searchParams.set('scope', scope);
      const headers: Record<string, string> = {};
      if (credentials && 'username' in credentials) {
        headers.authorization = `Basic ${Buffer.from(`${credentials.username}:${credentials.password}`).toString('base64')}`;
      }
      res = await this.transport.send({
        method: 'GET',
        url: url.toString(),
        headers,
        signal,
        maxResponseBytes: 1024 * 1024,
      });
    }
    if (res.status === 401 || res.status === 403) {
      throw credentials ? this.rejected(res, credentials) : this.authRequired(res, credentials);
    }
    if (res.status !== 200) {
      throw new RegistryResponseError(
        `token server ${url.origin}${url.pathname} of registry ${this.registry} answered ${res.status}: ${registryErrorText(res)}`,
        res,
      );
    }
    let body: { token?: string; access_token?: string; expires_in?: number };
    try {
      body = JSON.parse(res.body.toString('utf8')) as typeof body;
    } catch {
      throw new UserError(
        `token server of registry ${this.registry} answered something that is not JSON`,
      );
    }
    const token = body.token ?? body.access_token;
    if (!token) throw new UserError(`token server of registry ${this.registry} sent no token`);
    // Default lifetime 60s (the distribution token spec); renew 10s early.
    const lifetimeMs = Math.min((body.expires_in ?? 60) * 1000, MAX_TOKEN_LIFETIME_MS);
    this.tokens.set(scope, { token, expiresAt: Date.now() + Math.max(lifetimeMs - 10_000, 1000) });
  }

  private credentials(repository: string, signal?: AbortSignal): Promise<Credentials | undefined> {
    if (this.login) return this.login.credentials(this.postForm, signal);
    if (this.options.credentials) return Promise.resolve(this.options.credentials);
    if (this.options.useAuthFile === false) return Promise.resolve(undefined);
    let lookup = this.credentialsLookups.get(repository);
    if (!lookup) {
      lookup = credentialsFromConfig(this.registry, repository, this.options.env);
      this.credentialsLookups.set(repository, lookup);
    }
    return lookup;
  }

  /** A form POSTed to the registry's origin (ACR's token exchange), with this client's TLS and proxies. */
  private readonly postForm: PostForm = (url, form, signal) =>
    this.transport.send({
      method: 'POST',
      url,
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: Buffer.from(new URLSearchParams(form).toString()),
      retry: false,
      signal,
      maxResponseBytes: 1024 * 1024,
    });

  private authRequired(res: HttpResponse, credentials: Credentials | undefined): UserError {
    return new RegistryResponseError(
      `registry ${this.registry} requires authentication (${res.status}) and ${credentials ? 'the configured credentials cannot answer its challenge' : 'no credentials were given'}: pass --creds <user>:<password> (or --username with --password-stdin) or log in with docker login`,
      res,
    );
  }

  private rejected(res: HttpResponse, credentials: Credentials): UserError {
    return new CredentialsRejectedError(
      `registry ${this.registry} rejected the credentials for ${describeCredentials(credentials)} (${res.status}): check the user name and password (--creds, or --username with --password-stdin or OCI_PASSWORD)`,
      res,
    );
  }

  private denied(
    res: HttpResponse,
    credentials: Credentials | undefined,
    req: RegistryRequest,
  ): UserError {
    const who = this.login ? this.login.identity : describeCredentials(credentials);
    const hint = this.login
      ? `provider ${this.login.provider}: ${this.login.permissionsHint}`
      : "check the account's permissions";
    return new RegistryResponseError(
      `registry ${this.registry} denied ${req.push ? 'push' : 'pull'} access to '${req.repository}' for ${who} (${res.status}: ${registryErrorText(res)}): ${hint}`,
      res,
    );
  }

  /** Closes the connections (the cloud login's too). */
  async close(): Promise<void> {
    await Promise.all([this.transport.close(), this.login?.close()]);
  }
}

/** The registry or its token server refused the credentials (401/403). */
class CredentialsRejectedError extends RegistryResponseError {}
