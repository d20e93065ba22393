import { Agent as HttpAgent } from 'node:http';
import { Agent as HttpsAgent } from 'node:https';
import type { SecureContext } from 'node:tls';
import { ProxySelector, type ProxySettings } from './proxy-from-environment.js';

/** Parallel connections to one host (scheme, host and port). */
const MAX_SOCKETS_PER_HOST = 8;
/** An idle pooled connection is closed after this long; also the connect timeout. */
const IDLE_TIMEOUT_MS = 30_000;

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
  private readonly direct = {
    'http:': new HttpAgent(this.options),
    'https:': new HttpsAgent(this.options),
  };
  private readonly proxySelector: ProxySelector | undefined;
  private readonly proxied = new Map<string, Promise<HttpAgent>>();
  private closed = false;

  constructor(
    proxy: ProxySettings | undefined,
    /** TLS with an https:// proxy itself: the same trust as with the registry. */
    private readonly secureContext: SecureContext | undefined,
  ) {
    this.proxySelector = proxy && new ProxySelector(proxy);
  }

  /** The agent for `url`: a direct one, or one through the proxy the environment names for it. */
  agentFor(url: URL): HttpAgent | Promise<HttpAgent> {
    const protocol = url.protocol as 'http:' | 'https:';
    const proxy = this.proxySelector?.proxyFor(url);
    if (!proxy) return this.direct[protocol];
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
   * Proxy-Authorization.
   */
  private async proxyAgent(protocol: 'http:' | 'https:', proxy: URL): Promise<HttpAgent> {
    const options = {
      ...this.options,
      ...(this.secureContext ? { secureContext: this.secureContext } : {}),
    };
    const agent =
      protocol === 'https:'
        ? new (await import('https-proxy-agent')).HttpsProxyAgent(proxy, options)
        : new (await import('http-proxy-agent')).HttpProxyAgent(proxy, options);
    if (this.closed) agent.destroy();
    return agent;
  }

  /** Closes every connection, idle or not. */
  async close(): Promise<void> {
    this.closed = true;
    this.direct['http:'].destroy();
    this.direct['https:'].destroy();
    const proxied = await Promise.allSettled(this.proxied.values());
    for (const agent of proxied) if (agent.status === 'fulfilled') agent.value.destroy();
  }
}
