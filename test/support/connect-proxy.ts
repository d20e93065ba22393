import { createServer, request, type IncomingMessage } from 'node:http';
import { connect, type AddressInfo, type Socket } from 'node:net';

export interface ConnectProxyOptions {
  /**
   * Host names the proxy resolves itself (name -> IP), so tests can use names that no DNS
   * knows and that are not loopback (which clients never proxy).
   * @default none
   */
  readonly hosts?: Readonly<Record<string, string>>;
  /**
   * Refuse a CONNECT to any host not in `hosts`, so a client's fallback to a real endpoint
   * never leaves the machine.
   * @default false
   */
  readonly onlyHosts?: boolean;
  /**
   * `user:password` the proxy asks for (Proxy-Authorization: Basic), answering 407 without it.
   * @default none: no credentials asked
   */
  readonly credentials?: string;
}

export interface ConnectProxy {
  /** `http://127.0.0.1:<port>`: the value for HTTPS_PROXY / HTTP_PROXY. */
  readonly url: string;
  /** The `host:port` of every CONNECT, in order. */
  readonly connects: string[];
  /** `METHOD url` of every plain HTTP request forwarded (absolute-form, as HTTP_PROXY clients send). */
  readonly forwarded: string[];
  /** Requests (CONNECT or forwarded) refused with 407 for missing or wrong credentials. */
  readonly refusedCredentials: number;
  stop(): Promise<void>;
}

/**
 * A forward proxy: tunnels CONNECT requests (what clients use for HTTPS) and forwards plain
 * HTTP requests in absolute form (what Go's and Node's clients send for HTTP_PROXY).
 */
export async function startConnectProxy(options: ConnectProxyOptions = {}): Promise<ConnectProxy> {
  const connects: string[] = [];
  const forwarded: string[] = [];
  let refusedCredentials = 0;
  const sockets = new Set<Socket>();
  const track = (socket: Socket): void => {
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
  };
  /** Whether the request carries the credentials asked for (always, when none are asked). */
  const authorized = (req: IncomingMessage): boolean => {
    if (!options.credentials) return true;
    const expected = `Basic ${Buffer.from(options.credentials).toString('base64')}`;
    if (req.headers['proxy-authorization'] === expected) return true;
    refusedCredentials++;
    return false;
  };
  const allowed = (host: string): boolean =>
    !options.onlyHosts || options.hosts?.[host] !== undefined;
  const server = createServer((req, res) => {
    if (!req.url?.startsWith('http://')) {
      res.writeHead(405);
      res.end('this proxy tunnels (CONNECT) and forwards absolute http:// URLs only');
      return;
    }
    if (!authorized(req)) {
      res.writeHead(407, { 'proxy-authenticate': 'Basic realm="proxy"' });
      res.end();
      return;
    }
    const target = new URL(req.url);
    forwarded.push(`${req.method} ${req.url}`);
    if (!allowed(target.hostname)) {
      res.writeHead(403);
      res.end();
      return;
    }
    const headers = { ...req.headers };
    delete headers['proxy-authorization'];
    delete headers['proxy-connection'];
    const upstream = request(
      {
        host: options.hosts?.[target.hostname] ?? target.hostname,
        port: target.port || 80,
        method: req.method,
        path: `${target.pathname}${target.search}`,
        headers,
      },
      (answer) => {
        res.writeHead(answer.statusCode ?? 502, answer.headers);
        answer.pipe(res);
      },
    );
    upstream.on('error', () => res.destroy());
    req.pipe(upstream);
  });
  server.on('connection', track);
  server.on('connect', (req: IncomingMessage, client: Socket, head: Buffer) => {
    const target = req.url ?? '';
    connects.push(target);
    const colon = target.lastIndexOf(':');
    const host = target.slice(0, colon);
    if (!authorized(req)) {
      client.end(
        'HTTP/1.1 407 Proxy Authentication Required\r\nProxy-Authenticate: Basic realm="proxy"\r\nContent-Length: 0\r\n\r\n',
      );
      return;
    }
    if (!allowed(host)) {
      client.end('HTTP/1.1 403 Forbidden\r\n\r\n');
      return;
    }
    const upstream = connect(Number(target.slice(colon + 1)), options.hosts?.[host] ?? host, () => {
      client.write('HTTP/1.1 200 Connection Established\r\n\r\n');
      upstream.write(head);
      upstream.pipe(client);
      client.pipe(upstream);
    });
    track(upstream);
    upstream.on('error', () => client.destroy());
    client.on('error', () => upstream.destroy());
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    connects,
    forwarded,
    get refusedCredentials() {
      return refusedCredentials;
    },
    stop: () =>
      new Promise<void>((resolve) => {
        for (const socket of sockets) socket.destroy();
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
