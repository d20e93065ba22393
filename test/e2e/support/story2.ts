// RFC story 2's setting, shared by its e2e files: the faked ECR (test/support/cloud/fake-cloud.ts)
// and a CONNECT proxy that knows only the registry host and ECR's API (source-controller's
// ECR client takes no endpoint setting), and the cluster side's own AWS identity.
import { startConnectProxy, type ConnectProxy } from '../../support/connect-proxy.js';
import {
  AWS_ACCESS_KEY,
  ECR_API_HOST,
  startFakeCloud,
  type FakeCloud,
} from '../../support/cloud/fake-cloud.js';

/** An OCIRepository or Kustomization as story 2 reads it. */
export interface Story2FluxObject {
  spec: { provider?: string; secretRef?: { name: string } };
  status?: {
    artifact?: { revision: string };
    lastAppliedRevision?: string;
    conditions?: { type: string; status: string; message: string }[];
  };
}

/** The faked ECR and the proxy in front of it, nothing else. */
export async function startStory2Cloud(): Promise<{ cloud: FakeCloud; proxy: ConnectProxy }> {
  const cloud = await startFakeCloud();
  const proxy = await startConnectProxy({
    hosts: { [cloud.hosts.aws]: cloud.frontAddress, [ECR_API_HOST]: cloud.frontAddress },
    onlyHosts: true,
  });
  return { cloud, proxy };
}

/**
 * The controllers' environment: their own AWS key (in a cluster, IRSA or Pod Identity
 * would give it), the registry reached through the proxy, the test CA trusted.
 */
export function clusterIdentityEnv(cloud: FakeCloud, proxy: ConnectProxy): Record<string, string> {
  return {
    AWS_ACCESS_KEY_ID: AWS_ACCESS_KEY,
    AWS_SECRET_ACCESS_KEY: 'fake-secret-access-key',
    AWS_EC2_METADATA_DISABLED: 'true',
    // A CA bundle for the AWS SDK (some machines set one) makes Flux's proxy-aware HTTP
    // client unusable to it; SSL_CERT_FILE carries the test CA instead.
    AWS_CA_BUNDLE: '',
    HTTPS_PROXY: proxy.url,
    NO_PROXY: '127.0.0.1,localhost',
    SSL_CERT_FILE: cloud.caFile,
  };
}
