// A TCP forwarder: reaches a test server under another address (127.0.0.2, ::1), so a test
// can name the same registry by a host that is, or is not, one of the loopback names.
import { connect, createServer, type Server, type Socket } from 'node:net';

/** The first byte of a TLS handshake; a plain HTTP request opens with its method's letter. */
const TLS_HANDSHAKE = 0x16;

export interface TcpForwarder {
  /** `host:port` as it goes into `oci://` (IPv6 bracketed). */
  readonly host: string;
  /** The first byte each connection sent, in order (0x16 opens a TLS handshake). */
  readonly firstBytes: readonly number[];
  stop(): Promise<void>;
}

/**
 * Listens on `address` and pipes each connection to `target` (`host:port`). With
 * `plainAnswer`, a connection that does not open with a TLS handshake gets that answer
 * (bytes sent as they are, given the forwarder's own `host:port`) instead, as a TLS front
 * that redirects plain HTTP (nginx's `error_page 497`) does.
 */
export async function forwardTcp(
  address: string,
  target: string,
  plainAnswer?: (host: string) => string,
): Promise<TcpForwarder> {
  const [targetHost, targetPort] = target.split(':');
  const sockets = new Set<Socket>();
  const firstBytes: number[] = [];
  let host = '';
  const server: Server = createServer((client) => {
    if (plainAnswer) {
      client.on('error', () => undefined);
      sockets.add(client);
      client.on('close', () => sockets.delete(client));
      client.once('data', (data: Buffer) => {
        firstBytes.push(data[0]!);
        if (data[0] !== TLS_HANDSHAKE) {
          client.end(plainAnswer(host));
          return;
        }
        const upstream = connect(Number(targetPort), targetHost);
        sockets.add(upstream);
        upstream.on('close', () => sockets.delete(upstream));
        upstream.on('error', () => undefined);
        upstream.write(data);
        client.pipe(upstream).pipe(client);
      });
      return;
    }
    client.once('data', (data: Buffer) => firstBytes.push(data[0]!));
    const upstream = connect(Number(targetPort), targetHost);
    for (const s of [client, upstream]) {
      sockets.add(s);
      s.on('close', () => sockets.delete(s));
      s.on('error', () => undefined);
    }
    client.pipe(upstream).pipe(client);
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, address, resolve);
  });
  const { port } = server.address() as { port: number };
  host = `${address.includes(':') ? `[${address}]` : address}:${port}`;
  return {
    host,
    firstBytes,
    stop: () =>
      new Promise((resolve) => {
        for (const s of sockets) s.destroy();
        server.close(() => resolve());
      }),
  };
}
