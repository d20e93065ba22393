// Which proxy a request goes through, as Go's http.ProxyFromEnvironment decides it
// (golang.org/x/net/http/httpproxy), so flux-oci and Flux agree on the same environment.
// Written here because the maintained Node libraries read process.env themselves, and the
// library takes its environment as an option.
import { BlockList, isIP } from 'node:net';
import { domainToASCII } from 'node:url';
import { UserError } from '../../../errors.js';

/** Forward proxies as Go's `http.ProxyFromEnvironment` (and so Flux) takes them. */
export interface ProxySettings {
  readonly httpProxy?: string;
  readonly httpsProxy?: string;
  readonly noProxy?: string;
}

/** Proxy settings from an environment (upper or lower case names); undefined when none. */
export function proxyFromEnv(env: NodeJS.ProcessEnv): ProxySettings | undefined {
  const pick = (name: string): string | undefined =>
    env[name] || env[name.toLowerCase()] || undefined;
  const settings = {
    httpProxy: pick('HTTP_PROXY'),
    httpsProxy: pick('HTTPS_PROXY'),
    noProxy: pick('NO_PROXY'),
  };
  return settings.httpProxy || settings.httpsProxy ? settings : undefined;
}

/** One NO_PROXY entry: an IP or CIDR block, or a domain and its subdomains; with an optional port. */
interface Exclusion {
  readonly port: string;
  /** IP entries: the address or block. */
  readonly ips?: BlockList;
  /** Domain entries: `.example.com`, matching subdomains. */
  readonly suffix?: string;
  /** Domain entries without a leading dot (or `*.`) match the domain itself too. */
  readonly matchesHost?: boolean;
}

/**
 * Picks the proxy for URLs: `httpsProxy` for https, `httpProxy` for http, none for
 * loopback (`localhost`, 127.0.0.0/8, ::1) and for hosts NO_PROXY names.
 */
export class ProxySelector {
  // A malformed proxy is an error only for a request that would go through it: as in Go,
  // a broken HTTPS_PROXY does not stop requests to loopback or NO_PROXY hosts.
  private readonly httpProxy: URL | UserError | undefined;
  private readonly httpsProxy: URL | UserError | undefined;
  private readonly exclusions: readonly Exclusion[];
  private readonly excludesAll: boolean;

  constructor(settings: ProxySettings) {
    this.httpProxy = parseOrError(settings.httpProxy, 'HTTP_PROXY');
    this.httpsProxy = parseOrError(settings.httpsProxy, 'HTTPS_PROXY');
    const entries = (settings.noProxy ?? '')
      .split(',')
      .map((entry) => entry.trim().toLowerCase())
      .filter(Boolean);
    this.excludesAll = entries.includes('*');
    this.exclusions = entries.flatMap((entry) => parseExclusion(entry) ?? []);
  }

  /**
   * The proxy for `url`, or undefined to connect directly; throws a UserError when the
   * proxy to use is malformed.
   */
  proxyFor(url: URL): URL | undefined {
    const proxy =
      url.protocol === 'https:'
        ? this.httpsProxy
        : url.protocol === 'http:'
          ? this.httpProxy
          : undefined;
    if (!proxy || this.excludesAll) return undefined;
    const host = url.hostname.replace(/^\[|\]$/g, '').toLowerCase();
    const port = url.port || (url.protocol === 'https:' ? '443' : '80');
    if (host === 'localhost') return undefined;
    const family = isIP(host);
    if (family !== 0 && LOOPBACK.check(host, family === 4 ? 'ipv4' : 'ipv6')) return undefined;
    for (const exclusion of this.exclusions) {
      if (exclusion.port && exclusion.port !== port) continue;
      if (exclusion.ips) {
        if (family !== 0 && exclusion.ips.check(host, family === 4 ? 'ipv4' : 'ipv6')) {
          return undefined;
        }
      } else if (
        host.endsWith(exclusion.suffix!) ||
        (exclusion.matchesHost && host === exclusion.suffix!.slice(1))
      ) {
        return undefined;
      }
    }
    if (proxy instanceof UserError) throw proxy;
    return proxy;
  }
}

const LOOPBACK = new BlockList();
LOOPBACK.addSubnet('127.0.0.0', 8, 'ipv4');
LOOPBACK.addAddress('::1', 'ipv6');

/** parseProxy's URL, or its error, kept until a request would use the proxy. */
function parseOrError(value: string | undefined, name: string): URL | UserError | undefined {
  try {
    return parseProxy(value, name);
  } catch (err) {
    if (err instanceof UserError) return err;
    throw err;
  }
}

/**
 * A proxy URL; without a scheme (`proxy.corp:3128`) it is taken as http://, as Go does.
 * socks5, which Go also takes, is refused with a line saying so.
 */
function parseProxy(value: string | undefined, name: string): URL | undefined {
  if (!value) return undefined;
  const withScheme = /^[a-z][a-z0-9+.-]*:\/\//i.test(value) ? value : `http://${value}`;
  let url: URL;
  try {
    url = new URL(withScheme);
  } catch {
    throw new UserError(
      `${name} is not a proxy URL ('${redactProxyCredentials(value)}'): give http://host:port (or http://user:password@host:port)`,
    );
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') {
    throw new UserError(
      `${name} names a ${url.protocol.slice(0, -1)} proxy ('${redactProxyCredentials(value)}'): flux-oci speaks to http:// and https:// proxies only`,
    );
  }
  return url;
}

/**
 * A proxy setting as it may be quoted in a message: everything between the scheme (or the
 * start, without one) and the last `@` hidden, since a password may hold `/`, `:` or `@`
 * (the very values that make the URL malformed).
 */
export function redactProxyCredentials(value: string): string {
  const start = /^[a-z][a-z0-9+.-]*:\/\//i.exec(value)?.[0].length ?? 0;
  const at = value.lastIndexOf('@');
  return at < start ? value : `${value.slice(0, start)}***${value.slice(at)}`;
}

/** A NO_PROXY entry as Go reads it; undefined for one Go ignores (no host part). */
function parseExclusion(entry: string): Exclusion | undefined {
  const cidr = /^(.+)\/(\d{1,3})$/.exec(entry);
  if (cidr) {
    const family = isIP(cidr[1]);
    const prefix = Number(cidr[2]);
    if (family !== 0 && prefix <= (family === 4 ? 32 : 128)) {
      const ips = new BlockList();
      ips.addSubnet(cidr[1], prefix, family === 4 ? 'ipv4' : 'ipv6');
      return { ips, port: '' };
    }
  }
  // host:port or [ipv6]:port; as in Go, brackets without a port are no IP address.
  let host = entry;
  let port = '';
  const hostPort = /^\[([^\]]*)\]:(\d*)$|^([^:]*):(\d*)$/.exec(entry);
  if (hostPort) {
    host = hostPort[1] ?? hostPort[3];
    port = hostPort[2] ?? hostPort[4];
  }
  const family = isIP(host);
  if (family !== 0) {
    const ips = new BlockList();
    ips.addAddress(host, family === 4 ? 'ipv4' : 'ipv6');
    return { ips, port };
  }
  if (!host) return undefined;
  // example.com matches itself and its subdomains; .example.com and *.example.com only
  // the subdomains.
  if (host.startsWith('*.')) host = host.slice(1);
  const matchesHost = !host.startsWith('.');
  const domain = matchesHost ? host : host.slice(1);
  return { suffix: `.${domainToASCII(domain) || domain}`, matchesHost, port };
}
