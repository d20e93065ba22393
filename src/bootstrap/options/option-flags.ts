import type { BootstrapOciOptions, CommandOption } from './options.js';

/** How a flag's text becomes an option value. */
export type FlagKind = 'string' | 'boolean' | 'list' | 'secret';

export interface OptionFlag {
  /** The command line flag, as the RFC and `flux install` name it. */
  readonly flag: string;
  readonly kind: FlagKind;
  /** One line for `--help`. */
  readonly help: string;
  /**
   * The value may be known only at deploy time (a Terraform reference in the construct).
   * The command then also reads it from the environment variable `<flag>-env` names, which
   * is how the construct's steps receive it: never on a shell command line.
   * @default false
   */
  readonly deployTime?: boolean;
  /**
   * Only `<flag>-env` exists, never `<flag>` itself: the value is a secret no tool takes in
   * argv (cosign reads its key password only from the environment).
   * @default false
   */
  readonly envOnly?: boolean;
}

/**
 * The flag of every option. The mapped type makes the type checker refuse an option
 * without a flag, so the command and the construct cannot drift apart.
 */
export const OPTION_FLAGS: { readonly [K in CommandOption]: OptionFlag } = {
  url: {
    flag: '--url',
    kind: 'string',
    help: 'oci://<registry>/<repository>:<tag> of the Flux components artifact',
  },
  username: {
    flag: '--username',
    kind: 'string',
    help: 'registry user name for the components artifact',
    deployTime: true,
  },
  password: {
    flag: '--password',
    kind: 'secret',
    help: 'registry password (prefer --password-stdin or OCI_PASSWORD: arguments are visible to other users)',
    deployTime: true,
  },
  provider: {
    flag: '--provider',
    kind: 'string',
    help: "the cloud whose identity logs in to the registry: here (the runner's) and in the cluster (Workload Identity): generic, aws, azure, gcp",
  },
  kustomization: {
    flag: '--kustomization',
    kind: 'string',
    help: 'local kustomization.yaml with patches for the components (must list gotk-components.yaml)',
  },
  clusterUrl: {
    flag: '--cluster-url',
    kind: 'string',
    help: 'oci://<registry>/<repository>:<tag> of the cluster state artifact',
  },
  clusterUsername: {
    flag: '--cluster-username',
    kind: 'string',
    help: 'registry user name for the cluster artifact',
    deployTime: true,
  },
  clusterPassword: {
    flag: '--cluster-password',
    kind: 'secret',
    help: 'registry password for the cluster artifact (prefer OCI_CLUSTER_PASSWORD)',
    deployTime: true,
  },
  clusterPath: {
    flag: '--cluster-path',
    kind: 'string',
    help: 'path inside the cluster artifact to reconcile, as given (default ./, its root)',
  },
  secretName: {
    flag: '--secret-name',
    kind: 'string',
    help: 'name of the Secret the cluster registry credentials are stored to (with --cluster-username)',
  },
  clusterDomain: { flag: '--cluster-domain', kind: 'string', help: 'internal cluster domain' },
  components: { flag: '--components', kind: 'list', help: 'components to install' },
  componentsExtra: {
    flag: '--components-extra',
    kind: 'list',
    help: 'extra components: image-reflector-controller, image-automation-controller, source-watcher',
  },
  imagePullSecret: {
    flag: '--image-pull-secret',
    kind: 'string',
    help: 'Secret used to pull the controller images from a private registry',
  },
  registryCreds: {
    flag: '--registry-creds',
    kind: 'secret',
    help: "container registry credentials in the format 'user:password', requires --image-pull-secret (prefer --registry-creds-env: arguments are visible to other users)",
    deployTime: true,
  },
  logLevel: {
    flag: '--log-level',
    kind: 'string',
    help: 'controllers log level: debug, info, error',
  },
  networkPolicy: {
    flag: '--network-policy',
    kind: 'boolean',
    help: 'deny ingress to the controllers from other namespaces',
  },
  registry: {
    flag: '--registry',
    kind: 'string',
    help: 'container registry the controller images come from',
  },
  tolerationKeys: {
    flag: '--toleration-keys',
    kind: 'list',
    help: 'toleration keys for tainted nodes',
  },
  version: { flag: '--version', kind: 'string', help: 'Flux version to install, e.g. v2.9.4' },
  watchAllNamespaces: {
    flag: '--watch-all-namespaces',
    kind: 'boolean',
    help: 'watch all namespaces, or only the one Flux is installed in',
  },
  caFile: {
    flag: '--ca-file',
    kind: 'string',
    help: 'PEM CA bundle the registries are checked against',
  },
  allowInsecureHttp: {
    flag: '--allow-insecure-http',
    kind: 'boolean',
    help: 'talk to the registries over plain HTTP (localhost, 127.0.0.1 and ::1 need no flag)',
  },
  namespace: { flag: '--namespace', kind: 'string', help: 'namespace Flux is installed in' },
  interval: {
    flag: '--interval',
    kind: 'string',
    help: 'how often the OCIRepositories check the registry',
  },
  kustomizationInterval: {
    flag: '--kustomization-interval',
    kind: 'string',
    help: 'how often the Kustomizations re-apply their artifact',
  },
  retryInterval: {
    flag: '--retry-interval',
    kind: 'string',
    help: 'how soon a failed Kustomization is retried',
  },
  pinByDigest: {
    flag: '--pin-by-digest',
    kind: 'boolean',
    help: 'pin the flux-components OCIRepository to the pushed digest instead of the tag',
  },
  allowDowngrade: {
    flag: '--allow-downgrade',
    kind: 'boolean',
    help: "allow moving the components tag to a Flux version older than the artifact's",
  },
  manifests: {
    flag: '--manifests',
    kind: 'string',
    help: 'local directory or manifests.tar.gz with the Flux release manifests (also FLUX_MANIFESTS)',
  },
  manifestsBaseUrl: {
    flag: '--manifests-base-url',
    kind: 'string',
    help: 'base URL of a mirror of the Flux releases',
  },
  kubeconfig: {
    flag: '--kubeconfig',
    kind: 'string',
    help: 'path to the kubeconfig file',
    deployTime: true,
  },
  context: {
    flag: '--context',
    kind: 'string',
    help: 'kubeconfig context to use',
    deployTime: true,
  },
  timeout: { flag: '--timeout', kind: 'string', help: 'how long to wait for each step' },
  keepNamespace: {
    flag: '--keep-namespace',
    kind: 'boolean',
    help: 'keep the namespace on uninstall',
  },
  force: {
    flag: '--force',
    kind: 'boolean',
    help: "override existing Flux installation if it's managed by a different tool such as Helm",
  },
  cosignKey: {
    flag: '--cosign-key',
    kind: 'string',
    help: "sign the pushed artifacts with this cosign key (cosign generate-key-pair's cosign.key, password from COSIGN_PASSWORD; or a PKCS#8 EC P-256 PEM)",
  },
  cosignPassword: {
    flag: '--cosign-password',
    kind: 'secret',
    help: 'password of --cosign-key (default: COSIGN_PASSWORD)',
    deployTime: true,
    envOnly: true,
  },
  verifyProvider: {
    flag: '--verify-provider',
    kind: 'string',
    help: 'signature verification provider of the OCIRepositories: cosign (the default when a key or identity is given)',
  },
  verifyPublicKey: {
    flag: '--verify-public-key',
    kind: 'string',
    help: 'cosign.pub the flux-components OCIRepository verifies the components artifact with (default: the public key of --cosign-key)',
  },
  clusterVerifyPublicKey: {
    flag: '--cluster-verify-public-key',
    kind: 'string',
    help: 'cosign.pub the flux-system OCIRepository verifies the cluster artifact with',
  },
  clusterVerifyIssuer: {
    flag: '--cluster-verify-issuer',
    kind: 'string',
    help: 'keyless verification of the cluster artifact: regular expression for the OIDC issuer (with --cluster-verify-subject)',
  },
  clusterVerifySubject: {
    flag: '--cluster-verify-subject',
    kind: 'string',
    help: 'keyless verification of the cluster artifact: regular expression for the OIDC subject (with --cluster-verify-issuer)',
  },
};

/** Whether an option has a flag (the construct's own props have none). */
export function hasFlag(key: keyof BootstrapOciOptions): key is CommandOption {
  return Object.hasOwn(OPTION_FLAGS, key);
}

/** `--kubeconfig-env` for `kubeconfig`: the flag naming the environment variable that holds the value. */
export function envFlag(key: CommandOption): string {
  return `${OPTION_FLAGS[key].flag}-env`;
}

/** `--cluster-url` for the command, `clusterUrl` for the construct: both, so either reader knows. */
export function describeOption(key: keyof BootstrapOciOptions): string {
  if (!hasFlag(key)) return key;
  return `${OPTION_FLAGS[key].envOnly ? envFlag(key) : OPTION_FLAGS[key].flag} (${key})`;
}
