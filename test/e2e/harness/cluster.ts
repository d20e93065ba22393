// A Kubernetes control plane on 127.0.0.1 for the end-to-end tests: etcd, kube-apiserver
// (RBAC; the admin user is in system:masters) and kube-controller-manager with only the
// controllers that need no nodes (namespace deletion, garbage collection, aggregated
// ClusterRoles, default ServiceAccounts). There is no kubelet or scheduler: pods never run.
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { applyFiles } from './apply.js';
import { startEtcd, type Etcd } from './etcd.js';
import { httpsStatus } from './https.js';
import { writeKubeconfig } from './kubeconfig.js';
import { createCa, createSigningKey, issueCertificate } from '../../support/pki.js';
import { onFreePorts } from '../../support/ports.js';
import { startProcess, type ServerProcess } from './process.js';
import { goTool } from './tools.js';

export interface ClusterOptions {
  /** YAML files applied (server-side) once the API server is ready; CRDs are waited for. */
  crds?: string[];
}

export interface Cluster {
  /** Admin kubeconfig (certificates embedded). */
  kubeconfigPath: string;
  /** https://127.0.0.1:<port> */
  server: string;
  /** The CA that signed the API server's certificate. */
  caFile: string;
  /** Temporary directory holding certificates and logs (removed by stop()). */
  dir: string;
  stop(): Promise<void>;
}

export async function startCluster(opts: ClusterOptions = {}): Promise<Cluster> {
  const [apiserverBin, controllerManagerBin] = [
    await goTool('kube-apiserver'),
    await goTool('kube-controller-manager'),
  ];
  const dir = await mkdtemp(join(tmpdir(), 'flux-oci-cluster-'));
  const stops: (() => Promise<void>)[] = [];
  const stop = async (): Promise<void> => {
    for (const s of stops.reverse()) {
      await s().catch((err: Error) =>
        process.stderr.write(`cluster stop: ${err.message} (possible leak)\n`),
      );
    }
    stops.length = 0;
    if (!process.env.FLUX_OCI_KEEP_HARNESS) await rm(dir, { recursive: true, force: true });
  };
  try {
    const ca = await createCa(dir);
    const serving = await issueCertificate(dir, ca, 'apiserver', {
      commonName: 'kube-apiserver',
      dnsNames: ['kubernetes', 'kubernetes.default', 'kubernetes.default.svc'],
      usage: 'server',
    });
    const admin = await issueCertificate(dir, ca, 'admin', {
      commonName: 'admin',
      organizations: ['system:masters'],
      usage: 'client',
    });
    const sa = await createSigningKey(dir, 'service-account');

    const etcd: Etcd = await startEtcd(dir);
    stops.push(etcd.stop);

    const { apiserver, server } = await onFreePorts(1, async ([port]) => {
      const server = `https://127.0.0.1:${port}`;
      const apiserver: ServerProcess = await startProcess({
        name: 'kube-apiserver',
        command: apiserverBin,
        args: [
          `--etcd-servers=${etcd.url}`,
          '--bind-address=127.0.0.1',
          '--advertise-address=127.0.0.1',
          `--secure-port=${port}`,
          `--cert-dir=${dir}`,
          `--tls-cert-file=${serving.certFile}`,
          `--tls-private-key-file=${serving.keyFile}`,
          `--client-ca-file=${ca.certFile}`,
          `--service-account-key-file=${sa.publicFile}`,
          `--service-account-signing-key-file=${sa.privateFile}`,
          '--service-account-issuer=https://kubernetes.default.svc.cluster.local',
          '--service-cluster-ip-range=10.96.0.0/16',
          '--authorization-mode=RBAC',
          // The "kubernetes" Service cannot point at a loopback address; nothing here needs it.
          '--endpoint-reconciler-type=none',
          '--anonymous-auth=false',
          '--v=1',
        ],
        logFile: join(dir, 'kube-apiserver.log'),
        ready: async () =>
          (await httpsStatus(`${server}/readyz`, { caFile: ca.certFile, ...admin })) === 200,
        timeoutMs: 90_000,
      });
      return { apiserver, server };
    });
    stops.push(apiserver.stop);

    const kubeconfigPath = join(dir, 'admin.kubeconfig');
    await writeKubeconfig(kubeconfigPath, { server, caFile: ca.certFile, ...admin });

    const controllerManager = await onFreePorts(1, ([cmPort]) =>
      startProcess({
        name: 'kube-controller-manager',
        command: controllerManagerBin,
        args: [
          `--kubeconfig=${kubeconfigPath}`,
          `--authentication-kubeconfig=${kubeconfigPath}`,
          `--authorization-kubeconfig=${kubeconfigPath}`,
          '--bind-address=127.0.0.1',
          `--secure-port=${cmPort}`,
          `--cert-dir=${dir}`,
          '--leader-elect=false',
          '--controllers=namespace-controller,garbage-collector-controller,clusterrole-aggregation-controller,serviceaccount-controller',
          '--v=1',
        ],
        logFile: join(dir, 'kube-controller-manager.log'),
        ready: async () => (await httpsStatus(`https://127.0.0.1:${cmPort}/healthz`, {})) === 200,
        timeoutMs: 90_000,
      }),
    );
    stops.push(controllerManager.stop);

    if (opts.crds?.length) await applyFiles(kubeconfigPath, opts.crds);
    return { kubeconfigPath, server, caFile: ca.certFile, dir, stop };
  } catch (err) {
    await stop();
    throw err;
  }
}
