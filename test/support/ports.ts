// Free TCP ports on 127.0.0.1 for servers that take their port as an argument. A port is
// free when asked for and may be taken before the server binds it: callers that start a
// server retry on "address already in use" (test/support/registry.ts, test/e2e/harness).
import { createServer } from 'node:net';

// Ports already handed out in this process: the kernel may offer a released port again
// before the first caller's server has bound it.
const handedOut = new Set<number>();

/** A TCP port on 127.0.0.1 that was free a moment ago (the OS picks it), never the same twice. */
export async function freePort(): Promise<number> {
  for (;;) {
    const port = await new Promise<number>((resolve, reject) => {
      const server = createServer();
      server.unref();
      server.on('error', reject);
      server.listen(0, '127.0.0.1', () => {
        const address = server.address();
        if (address === null || typeof address === 'string') {
          reject(new Error('no port'));
          return;
        }
        server.close(() => resolve(address.port));
      });
    });
    if (!handedOut.has(port)) {
      handedOut.add(port);
      return port;
    }
  }
}

/** Whether a server's start failed because its port was taken (Go and Node messages). */
export function isPortTaken(message: string): boolean {
  return /address already in use|EADDRINUSE/.test(message);
}

/**
 * Starts a server on `count` free ports, choosing new ones when the start fails because
 * another process took one of them first.
 */
export async function onFreePorts<T>(
  count: number,
  start: (ports: number[]) => Promise<T>,
  attempts = 5,
): Promise<T> {
  for (let attempt = 1; ; attempt++) {
    const ports: number[] = [];
    for (let i = 0; i < count; i++) ports.push(await freePort());
    try {
      return await start(ports);
    } catch (err) {
      if (attempt >= attempts || !isPortTaken(String((err as Error)?.message))) throw err;
      process.stderr.write(`port taken (${ports.join(', ')}), starting again on others\n`);
    }
  }
}
