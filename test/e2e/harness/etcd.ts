// etcd from Debian (etcd-server) on free 127.0.0.1 ports, its data in memory when /dev/shm
// exists (no fsync cost), removed on stop.
import { existsSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { onFreePorts } from '../../support/ports.js';
import { startProcess } from './process.js';

export interface Etcd {
  url: string;
  stop(): Promise<void>;
}

export async function startEtcd(logDir: string): Promise<Etcd> {
  const { proc, url, dataDir } = await onFreePorts(2, async ([clientPort, peerPort]) => {
    // A data directory per attempt: etcd records its peer URLs there.
    const dataDir = await mkdtemp(
      join(existsSync('/dev/shm') ? '/dev/shm' : logDir, 'flux-oci-etcd-'),
    );
    try {
      const url = `http://127.0.0.1:${clientPort}`;
      const peer = `http://127.0.0.1:${peerPort}`;
      const proc = await startProcess({
        name: 'etcd',
        command: process.env.ETCD_BIN ?? 'etcd',
        args: [
          `--name=harness`,
          `--data-dir=${dataDir}`,
          `--listen-client-urls=${url}`,
          `--advertise-client-urls=${url}`,
          `--listen-peer-urls=${peer}`,
          `--initial-advertise-peer-urls=${peer}`,
          `--initial-cluster=harness=${peer}`,
          '--log-level=warn',
        ],
        logFile: join(logDir, 'etcd.log'),
        ready: async () => (await fetch(`${url}/health`)).ok,
      });
      return { proc, url, dataDir };
    } catch (err) {
      await rm(dataDir, { recursive: true, force: true });
      throw err;
    }
  });
  return {
    url,
    stop: async () => {
      await proc.stop();
      await rm(dataDir, { recursive: true, force: true });
    },
  };
}
