import { Agent as HttpAgent, request as httpRequest, type ClientRequest } from 'node:http';
import type * as Https from 'node:https';
import type { SecureContext } from 'node:tls';
import { ProxySelector, type ProxySettings } from './proxy-from-environment.js';

/** Parallel connections to one host (scheme, host and port). */
const MAX_SOCKETS_PER_HOST = 8;
/** An idle pooled connection is closed after this long; also the connect timeout. */
const IDLE_TIMEOUT_MS = 30_000;

/** What one request goes out with. */
export interface Connection {
  readonly agent: HttpAgent;
  /** Node's `request` of the URL's scheme (http's ignores the TLS options). */
  readonly request: (url: URL, options: Https.RequestOptions) => ClientRequest;
  /** The system roots plus the CA file; undefined for Node's own roots. */
  readonly secureContext?: SecureContext;
  /** The proxy the request goes through; undefined when it goes directly. */
  readonly proxy?: URL;
}

/** The https side, loaded at the first https request (a loopback registry may never need it). */
interface TlsParts {
  readonly request: typeof Https.request;
  readonly agent: Https.Agent;
  readonly secureContext?: SecureContext;
}

/**
 * The keep-alive connections of one transport: Node's own agents, one for http and one for
 * https, so connections are reused across requests and operations. Idle connections do not
 * keep the process alive (Node unrefs them). Proxy agents (`https-proxy-agent`,
 * `http-proxy-agent`) are loaded and made only when a request goes through a proxy.
 */
export class ConnectionPool {
  private readonly options = {
    keepAlive: true,
    maxSockets: MAX_SOCKETS_PER_HOST,
    timeout: IDLE_TIMEOUT_MS,
  };
  private readonly http = new HttpAgent(this.options);
  private tlsParts: Promise<TlsParts> | undefined;
  private readonly proxySelector: ProxySelector | undefined;
  private readonly proxied = new Map<string, Promise<HttpAgent>>();
  private closed = false;

  constructor(
    proxy: ProxySettings | undefined,
    /** PEM of CAs trusted next to the system roots (checked by the caller). */
    private readonly extraCa: string | undefined,
  ) {
    this.proxySelector = proxy && new ProxySelector(proxy);
  }

  /**
   * How to send to `url`: directly, or through the proxy the environment names for it;
   * always directly with `direct`.
   */
  async connectionFor(url: URL, direct = false): Promise<Connection> {
    const tls = url.protocol === 'https:' ? await this.tls() : undefined;
    const proxy = direct ? undefined : this.proxySelector?.proxyFor(url);
    return {
      agent: proxy ? await this.proxyAgentFor(url.protocol, proxy) : (tls?.agent ?? this.http),
      request: tls?.request ?? httpRequest,
      secureContext: tls?.secureContext,
      proxy,
    };
  }

  private tls(): Promise<TlsParts> {
    this.tlsParts ??= (async () => {
      const [https, tls] = await Promise.all([import('node:https'), import('node:tls')]);
      const agent = new https.Agent(this.options);
      if (this.closed) agent.destroy();
      // Giving `ca` replaces Node's roots, so keep them next to the extra CA; one context
      // for every connection (not the roots parsed again at each).
      const secureContext = this.extraCa
        ? tls.createSecureContext({ ca: [...tls.rootCertificates, this.extraCa] })
        : undefined;
      return { request: https.request, agent, secureContext };
    })();
    return this.tlsParts;
  }

  private proxyAgentFor(protocol: string, proxy: URL): Promise<HttpAgent> {
    const key = `${protocol}${proxy.href}`;
    let agent = this.proxied.get(key);
    if (!agent) {
      agent = this.proxyAgent(protocol, proxy);
      this.proxied.set(key, agent);
    }
    return agent;
  }

  /**
   * https through a CONNECT tunnel (TLS with the registry inside it); http as absolute-form
   * requests to the proxy, as Go's transport does. Credentials in the proxy URL become
   * Proxy-Authorization. An https:// proxy is trusted as the registry is.
   */
  private async proxyAgent(protocol: string, proxy: URL): Promise<HttpAgent> {
    const { secureContext } =
      protocol === 'https:' || proxy.protocol === 'https:' ? await this.tls() : {};
    const options = { ...this.options, ...(secureContext ? { secureContext } : {}) };
    const agent =
      protocol === 'https:'
        ? new (tunnelAgentClass(await import('https-proxy-agent')))(proxy, options)
        : new (await import('http-proxy-agent')).HttpProxyAgent(proxy, options);
    if (this.closed) agent.destroy();
    return agent;
  }

  /** Closes every connection, idle or not. */
  async close(): Promise<void> {
    this.closed = true;
    this.http.destroy();
    const agents = await Promise.allSettled([
      ...(this.tlsParts ? [this.tlsParts.then((parts) => parts.agent)] : []),
      ...this.proxied.values(),
    ]);
    for (const agent of agents) if (agent.status === 'fulfilled') agent.value.destroy();
  }
}

/**
 * The request option (an AbortSignal) that ends a proxied request's connection to the proxy
 * before the tunnel is up (Node keeps a request's own `signal` from its agent).
 */
export const GIVE_UP_OPTION = 'fluxOciGiveUp';

/**
 * HttpsProxyAgent whose connection to the proxy ends when the request's GIVE_UP_OPTION
 * signal aborts before the tunnel is up: a request destroyed before it has a socket does not
 * reach the agent, so a proxy that never answers the CONNECT would otherwise hold its socket
 * (and the process) open. The socket gets a signal of its own, never aborted once the tunnel
 * is up, as it is then pooled for later requests.
 */
function tunnelAgentClass(
  module: typeof import('https-proxy-agent'),
): typeof import('https-proxy-agent').HttpsProxyAgent {
  return class extends module.HttpsProxyAgent<string> {
    override connect(
      req: ClientRequest,
      opts: Parameters<InstanceType<typeof module.HttpsProxyAgent>['connect']>[1],
    ): ReturnType<InstanceType<typeof module.HttpsProxyAgent>['connect']> {
      const signal = (opts as { [GIVE_UP_OPTION]?: AbortSignal })[GIVE_UP_OPTION];
      const controller = new AbortController();
      const abort = (): void => controller.abort(signal?.reason);
      signal?.addEventListener('abort', abort, { once: true });
      // The socket to the proxy is made before connect's first await, from connectOpts.
      const own = this.connectOpts;
      this.connectOpts = { ...own, signal: controller.signal } as typeof own;
      try {
        return super.connect(req, opts).finally(() => signal?.removeEventListener('abort', abort));
      } finally {
        this.connectOpts = own;
      }
    }
  };
}
