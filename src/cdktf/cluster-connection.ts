import { Fn } from 'cdktf';
import type { ResolvedBootstrapOptions } from '../bootstrap/options/resolve-options.js';
import { UserError } from '../errors.js';

/** An exec credential plugin, as the kubernetes provider and kubeconfig `exec` take it. */
export interface ClusterConnectionExec {
  /** e.g. `client.authentication.k8s.io/v1beta1`. */
  readonly apiVersion: string;
  /** The plugin, found on the deploying machine's PATH or by path. */
  readonly command: string;
  /** @default none */
  readonly args?: string[];
  /** @default none */
  readonly env?: Record<string, string>;
}

/**
 * How Terraform and the pre-apply step reach the cluster, as the kubernetes provider takes
 * it: a kubeconfig file (and context), or the API server's address with its credentials,
 * which may be other resources' outputs or variables (tokens: `cluster.endpoint`,
 * `tokenVariable.stringValue`), not `${...}` written out.
 */
export interface ClusterConnection {
  /**
   * The kubeconfig file.
   * @default - the `kubeconfig` prop, else `~/.kube/config` of the machine that deploys
   * (unless `host` is given)
   */
  readonly configPath?: string;
  /**
   * The kubeconfig context.
   * @default - the `context` prop, else the kubeconfig's current context
   */
  readonly configContext?: string;
  /**
   * The API server's address, e.g. `https://203.0.113.10:6443`; with it, no kubeconfig file
   * is read.
   * @default - the kubeconfig's
   */
  readonly host?: string;
  /**
   * A bearer token (with `host`). It is kept, marked sensitive, in the state of the
   * uninstall step, which needs it at destroy time; an `exec` plugin keeps no secret.
   * @default none
   */
  readonly token?: string;
  /**
   * The cluster's CA certificate, PEM (with `host`).
   * @default - the system's roots
   */
  readonly clusterCaCertificate?: string;
  /** PEM client certificate (with `host` and `clientKey`). @default none */
  readonly clientCertificate?: string;
  /** PEM client key (with `host` and `clientCertificate`). @default none */
  readonly clientKey?: string;
  /** An exec credential plugin (with `host`). @default none */
  readonly exec?: ClusterConnectionExec;
}

/** The same connection for the kubernetes provider and for the `flux-oci` steps. */
export interface ResolvedConnection {
  /** The kubernetes provider's connection settings: the prop's fields, defaults applied. */
  readonly provider: ClusterConnection;
  /**
   * `--kubeconfig` and `--context` of the steps (deploy-time values go in their
   * environment), or with `host` the kubeconfig's content, which a step writes to a private
   * temporary file from its environment.
   */
  readonly step:
    | { readonly kubeconfig: string; readonly context?: string }
    | { readonly kubeconfigData: string };
}

/**
 * The default is the deploying machine's `~/.kube/config`, expanded by Terraform at deploy
 * time: the synthesizing machine's home is named nowhere.
 */
export const DEFAULT_KUBECONFIG = '${pathexpand("~/.kube/config")}';

export function clusterConnectionFor(
  options: ResolvedBootstrapOptions,
  connection: ClusterConnection | undefined,
): ResolvedConnection {
  if (connection?.host === undefined) {
    const credentials = (
      ['token', 'clusterCaCertificate', 'clientCertificate', 'clientKey', 'exec'] as const
    ).filter((key) => connection?.[key] !== undefined);
    if (credentials.length > 0) {
      throw new UserError(
        `connection.${credentials[0]} needs connection.host: give the API server's address, or use configPath`,
      );
    }
    const kubeconfig = connection?.configPath ?? options.kubeconfig ?? DEFAULT_KUBECONFIG;
    const context = connection?.configContext ?? options.context;
    return {
      provider: {
        configPath: kubeconfig,
        ...(context !== undefined ? { configContext: context } : {}),
      },
      step: { kubeconfig, ...(context !== undefined ? { context } : {}) },
    };
  }
  const conflicting = [
    connection.configPath !== undefined && 'connection.configPath',
    connection.configContext !== undefined && 'connection.configContext',
    options.kubeconfig !== undefined && 'kubeconfig',
    options.context !== undefined && 'context',
  ].filter(Boolean);
  if (conflicting.length > 0) {
    throw new UserError(
      `connection.host and ${conflicting[0]} are both given: reach the cluster by one, the host with its credentials or a kubeconfig`,
    );
  }
  if ((connection.clientCertificate === undefined) !== (connection.clientKey === undefined)) {
    throw new UserError(
      'connection.clientCertificate and connection.clientKey go together: give both, or neither',
    );
  }
  const { host, token, clusterCaCertificate, clientCertificate, clientKey, exec } = connection;
  return {
    provider: {
      host,
      ...(token !== undefined ? { token } : {}),
      ...(clusterCaCertificate !== undefined ? { clusterCaCertificate } : {}),
      ...(clientCertificate !== undefined ? { clientCertificate, clientKey } : {}),
      ...(exec ? { exec } : {}),
    },
    step: { kubeconfigData: kubeconfigYaml(connection) },
  };
}

/** The same connection as a kubeconfig, built by Terraform (its values may be references). */
function kubeconfigYaml(connection: ClusterConnection): string {
  const { host, token, clusterCaCertificate, clientCertificate, clientKey, exec } = connection;
  const user = {
    ...(token !== undefined ? { token } : {}),
    ...(clientCertificate !== undefined
      ? {
          'client-certificate-data': Fn.base64encode(clientCertificate),
          'client-key-data': Fn.base64encode(clientKey!),
        }
      : {}),
    ...(exec
      ? {
          exec: {
            apiVersion: exec.apiVersion,
            command: exec.command,
            args: exec.args ?? [],
            env: Object.entries(exec.env ?? {}).map(([name, value]) => ({ name, value })),
            interactiveMode: 'Never',
          },
        }
      : {}),
  };
  return Fn.yamlencode({
    apiVersion: 'v1',
    kind: 'Config',
    clusters: [
      {
        name: 'flux',
        cluster: {
          server: host,
          ...(clusterCaCertificate !== undefined
            ? { 'certificate-authority-data': Fn.base64encode(clusterCaCertificate) }
            : {}),
        },
      },
    ],
    users: [{ name: 'flux', user }],
    contexts: [{ name: 'flux', context: { cluster: 'flux', user: 'flux' } }],
    'current-context': 'flux',
  });
}
