// Which requests go through which proxy, as Go's http.ProxyFromEnvironment (and so Flux)
// decides from HTTPS_PROXY, HTTP_PROXY and NO_PROXY.
import {
  proxyFromEnv,
  ProxySelector,
  type ProxySettings,
} from '../../../src/oci/registry/http/proxy-from-environment.js';

const HTTPS = 'http://secure-proxy:3128';
const HTTP = 'http://plain-proxy:3128';

/** The proxy (origin) the URL goes through, or 'direct'. */
function route(url: string, settings: ProxySettings): string {
  return new ProxySelector(settings).proxyFor(new URL(url))?.origin ?? 'direct';
}

describe('proxyFromEnv', () => {
  it('reads the upper case names first, then the lower case ones; none without a proxy', () => {
    expect(proxyFromEnv({ HTTPS_PROXY: 'a', https_proxy: 'b', no_proxy: 'c' })).toEqual({
      httpsProxy: 'a',
      httpProxy: undefined,
      noProxy: 'c',
    });
    expect(proxyFromEnv({ HTTPS_PROXY: '', https_proxy: 'b' })?.httpsProxy).toBe('b');
    expect(proxyFromEnv({ NO_PROXY: 'x' })).toBeUndefined();
  });
});

describe('ProxySelector', () => {
  const both = { httpsProxy: HTTPS, httpProxy: HTTP };

  it('takes HTTPS_PROXY for https and HTTP_PROXY for http', () => {
    expect(route('https://registry.example/v2/', both)).toBe(HTTPS);
    expect(route('http://registry.example/v2/', both)).toBe(HTTP);
    expect(route('http://registry.example/v2/', { httpsProxy: HTTPS })).toBe('direct');
    expect(route('https://registry.example/v2/', { httpProxy: HTTP })).toBe('direct');
  });

  it('never proxies loopback: localhost, 127.0.0.0/8 and ::1', () => {
    for (const url of [
      'https://localhost:5000/v2/',
      'https://127.0.0.1/v2/',
      'https://127.1.2.3:5000/v2/',
      'https://[::1]:5000/v2/',
    ]) {
      expect(route(url, both)).toBe('direct');
    }
    // Only the name localhost itself, as in Go.
    expect(route('https://registry.localhost/v2/', both)).toBe(HTTPS);
  });

  it('reads NO_PROXY domains: a name covers its subdomains; a leading dot or *. only them', () => {
    const noProxy = (value: string, url: string): string => route(url, { ...both, noProxy: value });
    expect(noProxy('example.com', 'https://example.com/')).toBe('direct');
    expect(noProxy('example.com', 'https://registry.example.com/')).toBe('direct');
    expect(noProxy('example.com', 'https://notexample.com/')).toBe(HTTPS);
    expect(noProxy('.example.com', 'https://example.com/')).toBe(HTTPS);
    expect(noProxy('.example.com', 'https://registry.example.com/')).toBe('direct');
    expect(noProxy('*.example.com', 'https://example.com/')).toBe(HTTPS);
    expect(noProxy('*.example.com', 'https://a.b.example.com/')).toBe('direct');
    // Case, spaces and empty entries do not matter.
    expect(noProxy(' , Other.test , EXAMPLE.com ', 'https://registry.example.com/')).toBe('direct');
    // Unicode names match their punycode form (what the URL holds).
    expect(noProxy('bücher.example', 'https://registry.bücher.example/')).toBe('direct');
  });

  it('reads NO_PROXY ports: host:port only for that port (443 and 80 by default)', () => {
    const settings = { ...both, noProxy: 'example.com:5000,plain.test:80,10.0.0.1:443' };
    expect(route('https://example.com:5000/', settings)).toBe('direct');
    expect(route('https://example.com/', settings)).toBe(HTTPS);
    expect(route('http://plain.test/', settings)).toBe('direct');
    expect(route('https://plain.test/', settings)).toBe(HTTPS);
    expect(route('https://10.0.0.1/', settings)).toBe('direct');
    expect(route('https://10.0.0.1:5000/', settings)).toBe(HTTPS);
  });

  it('reads NO_PROXY addresses and CIDR blocks, IPv4 and IPv6', () => {
    const settings = {
      ...both,
      noProxy: '10.1.2.3,192.168.0.0/16,2001:db8::1,[2001:db8::2]:5000,fd00::/8',
    };
    expect(route('https://10.1.2.3/', settings)).toBe('direct');
    expect(route('https://10.1.2.4/', settings)).toBe(HTTPS);
    expect(route('https://192.168.44.5:5000/', settings)).toBe('direct');
    expect(route('https://192.169.0.1/', settings)).toBe(HTTPS);
    expect(route('https://[2001:db8::1]/', settings)).toBe('direct');
    expect(route('https://[2001:db8::2]:5000/', settings)).toBe('direct');
    expect(route('https://[2001:db8::2]/', settings)).toBe(HTTPS);
    expect(route('https://[fd12::7]/', settings)).toBe('direct');
    // An address entry does not cover a name, nor a block an address outside it.
    expect(route('https://registry.example/', settings)).toBe(HTTPS);
    expect(route('https://[fe80::1]/', settings)).toBe(HTTPS);
  });

  it('takes * as every host', () => {
    expect(route('https://registry.example/', { ...both, noProxy: 'a.test, *' })).toBe('direct');
    expect(route('http://10.0.0.1/', { ...both, noProxy: '*' })).toBe('direct');
  });

  it('takes a proxy without a scheme as http://, and keeps its credentials', () => {
    const proxy = new ProxySelector({ httpsProxy: 'user:secret@proxy.corp:3128' }).proxyFor(
      new URL('https://registry.example/'),
    );
    expect(proxy?.href).toBe('http://user:secret@proxy.corp:3128/');
    expect(route('https://registry.example/', { httpsProxy: 'https://proxy.corp' })).toBe(
      'https://proxy.corp',
    );
  });

  it('refuses a proxy it cannot speak to with one line, without its password', () => {
    expect(() =>
      route('https://registry.example/', { httpsProxy: 'socks5://user:secret@proxy:1080' }),
    ).toThrow(
      "HTTPS_PROXY names a socks5 proxy ('socks5://***@proxy:1080'): flux-oci speaks to http:// and https:// proxies only",
    );
    expect(() =>
      route('http://registry.example/', { httpProxy: 'http://user:secret@[bad' }),
    ).toThrow(
      "HTTP_PROXY is not a proxy URL ('http://***@[bad'): give http://host:port (or http://user:password@host:port)",
    );
  });

  it('fails only the requests that would go through a malformed proxy', () => {
    const broken = { httpsProxy: 'http://user:s3/cr3t@proxy.corp:3128', noProxy: 'internal.test' };
    expect(route('https://localhost:5000/', broken)).toBe('direct');
    expect(route('https://127.0.0.1:5000/', broken)).toBe('direct');
    expect(route('https://registry.internal.test/', broken)).toBe('direct');
    expect(route('http://registry.example/', broken)).toBe('direct');
    expect(() => route('https://registry.example/', broken)).toThrow(
      "HTTPS_PROXY is not a proxy URL ('http://***@proxy.corp:3128')",
    );
    expect(route('https://registry.example/', { ...broken, noProxy: '*' })).toBe('direct');
  });

  it('never quotes any part of a password, whatever it holds', () => {
    // Passwords with `/`, `@` or `:` are what make a proxy URL malformed; without a scheme
    // there is no `//` to start from.
    const cases: [string, string][] = [
      ['http://user:s3/cr3t@proxy.corp:3128', 'http://***@proxy.corp:3128'],
      ['http://user:p@ss@[::1', 'http://***@[::1'],
      ['http://user:a//b:c@@[bad', 'http://***@[bad'],
      ['user:s3/cr3t@[proxy', '***@[proxy'],
      ['user:s3//cr3t@[proxy', '***@[proxy'],
      ['http://user:pw@proxy.corp:99999', 'http://***@proxy.corp:99999'],
      ['http://user:pa:ss@proxy.corp:port', 'http://***@proxy.corp:port'],
    ];
    for (const [value, quoted] of cases) {
      let message = '';
      try {
        route('https://registry.example/', { httpsProxy: value });
      } catch (err) {
        message = (err as Error).message;
      }
      expect(message).toBe(
        `HTTPS_PROXY is not a proxy URL ('${quoted}'): give http://host:port (or http://user:password@host:port)`,
      );
      for (const secret of ['s3', 'cr3t', 'ss@', 'a//b', 'pw', 'pa:ss']) {
        if (value.includes(secret)) expect(message).not.toContain(secret);
      }
    }
  });
});
