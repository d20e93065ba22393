// The three parts of undici the transport uses, loaded without the package's index: the
// index also loads fetch, WebSocket, the caches and the mock agents, which doubled a small
// pull's run time. undici is pinned (package.json), and these files are its public classes;
// a unit test checks they are the very classes the index exports.
import { createRequire } from 'node:module';
import type * as Undici from 'undici';

const require = createRequire(import.meta.url);

export const Agent = require('undici/lib/dispatcher/agent.js') as typeof Undici.Agent;
export const EnvHttpProxyAgent =
  require('undici/lib/dispatcher/env-http-proxy-agent.js') as typeof Undici.EnvHttpProxyAgent;
const api = require('undici/lib/api/index.js') as {
  request: (
    this: Undici.Dispatcher,
    options: Undici.Dispatcher.RequestOptions,
  ) => Promise<Undici.Dispatcher.ResponseData>;
};
// What undici's index does: the API methods (request, connect, ...) on every dispatcher;
// the proxy agent tunnels with `connect`.
const Dispatcher = require('undici/lib/dispatcher/dispatcher.js') as { prototype: object };
Object.assign(Dispatcher.prototype, api);

/** undici's `request(url, options)` for a dispatcher: what its index does, for an absolute URL. */
export function request(
  url: string,
  options: Omit<Undici.Dispatcher.RequestOptions, 'origin' | 'path'> & {
    readonly dispatcher: Undici.Dispatcher;
  },
): Promise<Undici.Dispatcher.ResponseData> {
  const { dispatcher, ...rest } = options;
  const parsed = new URL(url);
  return api.request.call(dispatcher, {
    ...rest,
    origin: parsed.origin,
    path: parsed.search ? `${parsed.pathname}${parsed.search}` : parsed.pathname,
  });
}
