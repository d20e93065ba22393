// An http(s) Agent for code that sends its own requests (the clouds' SDKs): each connection
// goes directly or through the proxy the registry transport would take for the same URL.
import type { Agent as HttpAgent, ClientRequest } from 'node:http';
import { Agent, type AgentConnectOpts } from 'agent-base';
import { ConnectionPool } from './connection-pool.js';
import type { ProxySettings } from './proxy-from-environment.js';

/**
 * Hands each connection to a keep-alive pool's direct agent or its proxy agent, chosen by
 * `ProxySelector` (HTTPS_PROXY, HTTP_PROXY, NO_PROXY as Go reads them, loopback never), so a
 * library that takes one agent follows the same proxy settings as the registry transport.
 * The pool stays open until `close()` (an SDK's `destroy()` of the agent does not close it).
 */
export class RoutingAgent extends Agent {
  private readonly pool: ConnectionPool;

  constructor(
    proxy: ProxySettings | undefined,
    /** URLs always reached directly, whatever the proxy settings. */
    private readonly alwaysDirect: (url: URL) => boolean = () => false,
  ) {
    super();
    this.pool = new ConnectionPool(proxy, undefined);
  }

  override async connect(_req: ClientRequest, options: AgentConnectOpts): Promise<HttpAgent> {
    const host = options.host?.includes(':') ? `[${options.host}]` : (options.host ?? 'localhost');
    const scheme = options.secureEndpoint ? 'https' : 'http';
    const url = new URL(`${scheme}://${host}:${options.port}`);
    return (await this.pool.connectionFor(url, this.alwaysDirect(url))).agent;
  }

  /** Closes the pooled connections. */
  async close(): Promise<void> {
    await this.pool.close();
  }
}
