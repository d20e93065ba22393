// A TCP forwarder: reaches a test server under another address (127.0.0.2, ::1), so a test
// can name the same registry by a host that is, or is not, one of the loopback names.
import { connect, createServer, type Server, type Socket } from 'node:net';

export interface TcpForwarder {
  /** `host:port` as it goes into `oci://` (IPv6 bracketed). */
  readonly host: string;
  /** The first byte each connection sent, in order (0x16 opens a TLS handshake). */
  readonly firstBytes: readonly number[];
  stop(): Promise<void>;
}

/** Listens on `address` and pipes each connection to `target` (`host:port`). */
export async function forwardTcp(address: string, target: string): Promise<TcpForwarder> {
  const [targetHost, targetPort] = target.split(':');
  const sockets = new Set<Socket>();
  const firstBytes: number[] = [];
  const server: Server = createServer((client) => {
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
  return {
    host: `${address.includes(':') ? `[${address}]` : address}:${port}`,
    firstBytes,
    stop: () =>
      new Promise((resolve) => {
        for (const s of sockets) s.destroy();
        server.close(() => resolve());
      }),
  };
}
