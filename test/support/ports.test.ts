// The harness's free ports: never the same one twice in a process, and a server whose port
// another process took between freePort() and its bind is started again on another one.
import { createServer, type Server } from 'node:net';
import { freePort, onFreePorts } from './ports.js';

const listen = (server: Server, port: number): Promise<Server> =>
  new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, '127.0.0.1', () => resolve(server));
  });
const close = (server: Server): Promise<void> =>
  new Promise((resolve) => server.close(() => resolve()));

describe('freePort', () => {
  test('never hands out the same port twice', async () => {
    const ports: number[] = [];
    for (let i = 0; i < 50; i++) ports.push(await freePort());
    expect(new Set(ports).size).toBe(50);
  });
});

describe('onFreePorts', () => {
  test('starts again on another port when the first was taken before the bind', async () => {
    const squatter = createServer();
    const tried: number[] = [];
    const server = await onFreePorts(1, async ([port]) => {
      tried.push(port);
      // Another process takes the first port between freePort() and the bind.
      if (tried.length === 1) await listen(squatter, port);
      return listen(createServer(), port);
    });
    try {
      expect(tried).toHaveLength(2);
      expect(tried[1]).not.toBe(tried[0]);
      expect((server.address() as { port: number }).port).toBe(tried[1]);
    } finally {
      await close(server);
      await close(squatter);
    }
  });

  test('does not retry other failures', async () => {
    let calls = 0;
    await expect(
      onFreePorts(1, async () => {
        calls++;
        throw new Error('exited during start-up: bad flag');
      }),
    ).rejects.toThrow('bad flag');
    expect(calls).toBe(1);
  });

  test('gives up after the attempts, with the last error', async () => {
    let calls = 0;
    await expect(
      onFreePorts(
        2,
        async ([a, b]) => {
          calls++;
          throw new Error(`listen tcp 127.0.0.1:${b}: bind: address already in use (${a})`);
        },
        3,
      ),
    ).rejects.toThrow(/address already in use/);
    expect(calls).toBe(3);
  });
});
