import type { OciProvider } from '../../oci/provider.js';

/**
 * The `flux bootstrap oci` options: one model for the command's flags and the construct's
 * props. Field names are the RFC's flags in camelCase; each flag is declared in
 * `option-flags.ts`, which the type checker forces to cover every field here but the
 * construct's own (`ConstructOnlyOption`).
 */
export interface BootstrapOciOptions {
  /**
   * Where the Flux components artifact is pushed: `oci://<registry>/<repository>:<tag>`.
   * The artifact is pushed under its checksum and the tag is moved to it; the
   * `flux-components` OCIRepository follows the tag.
   */
  readonly url: string;

  /**
   * User name for the components registry.
   *
   * @default - anonymous, or the Workload Identity of `provider`
   */
  readonly username?: string;

  /**
   * Password or token for the components registry. Never give it as a literal: on the
   * command line use `--password-stdin` or `OCI_PASSWORD`; in CDKTF pass
   * `FluxBootstrapOci.sensitiveVariable('oci_password')` (the construct declares that
   * sensitive variable and refuses anything else; the pipeline sets `TF_VAR_oci_password`),
   * so it reaches the cluster only through write-only attributes and the steps'
   * environment, never cdk.tf.json, state or plan output.
   *
   * @default - `OCI_PASSWORD` from the environment when `username` is set
   */
  readonly password?: string;

  /**
   * Revision of `password`, for the construct: raise it (1, 2, 3, ...) when the password
   * is rotated, and the next deploy writes the new password into the cluster's Secret
   * (RFC story 5). Nothing derived from the password is kept to notice a rotation by
   * itself, as with the kubernetes provider's `data_wo_revision`. The command has no flag
   * for it: it reads the password each time it runs.
   *
   * @default 1
   */
  readonly passwordRevision?: number;

  /**
   * OIDC provider for registry login through Workload Identity; with `aws`, `azure` or
   * `gcp` no credentials are stored in the cluster and `username`/`password` must be unset.
   *
   * @default 'generic'
   */
  readonly provider?: OciProvider;

  /**
   * A local `kustomization.yaml` that customises the components (patches, images); it must
   * list `gotk-components.yaml`. Its patches are applied before the first install, so the
   * controllers start patched.
   *
   * @default - the plain generated components
   */
  readonly kustomization?: string;

  /**
   * Where the cluster's desired state is: `oci://<registry>/<repository>:<tag>`. When the
   * tag does not exist, an empty artifact is pushed there.
   *
   * @default - no `flux-system` sync: Flux only updates itself
   */
  readonly clusterUrl?: string;

  /**
   * User name for the cluster artifacts' registry.
   *
   * @default - the components registry's credentials when both live in the same registry
   */
  readonly clusterUsername?: string;

  /**
   * Password or token for the cluster artifacts' registry (same rules as `password`).
   *
   * @default - `OCI_CLUSTER_PASSWORD` from the environment when `clusterUsername` is set
   */
  readonly clusterPassword?: string;

  /**
   * Revision of `clusterPassword` (same rules as `passwordRevision`): raise it when the
   * cluster password is rotated.
   *
   * @default 1
   */
  readonly clusterPasswordRevision?: number;

  /**
   * Path inside the cluster artifact that the `flux-system` Kustomization reconciles, used
   * as given (`clusters/production` is the artifact's `./clusters/production`); the empty
   * cluster artifact holds `<clusterPath>/kustomization.yaml`. Only with `clusterUrl`.
   *
   * @default './' - the artifact's root, as `flux bootstrap --path`
   */
  readonly clusterPath?: string;

  /**
   * Name of the Secret holding the cluster registry's credentials, which the `flux-system`
   * OCIRepository references (Flux's `--secret-name`: "the secret the sync credentials can be
   * found in or stored to"). Used when `clusterUsername` is set; when the cluster artifact
   * shares the components' registry and credentials, both OCIRepositories reference the
   * components' Secret `flux-components`.
   *
   * @default 'flux-system'
   */
  readonly secretName?: string;

  /**
   * Internal cluster domain.
   *
   * @default 'cluster.local'
   */
  readonly clusterDomain?: string;

  /**
   * Components to install.
   *
   * @default ['source-controller', 'kustomize-controller', 'helm-controller', 'notification-controller']
   */
  readonly components?: readonly string[];

  /**
   * Extra components, e.g. `image-reflector-controller`, `image-automation-controller`.
   *
   * @default []
   */
  readonly componentsExtra?: readonly string[];

  /**
   * Name of a Secret the controllers' pods use to pull their images from a private registry.
   *
   * @default - none
   */
  readonly imagePullSecret?: string;

  /**
   * Credentials for `registry`, as `user:password`: written into the image pull Secret
   * `imagePullSecret` (which must be set) with the registry Secrets. Treat it as a password:
   * on the command line use `--registry-creds-env=NAME` (`--registry-creds` is visible to
   * other users, as in Flux); in CDKTF pass a sensitive variable that holds
   * `user:password`, e.g. `FluxBootstrapOci.sensitiveVariable('registry_creds')` with
   * `TF_VAR_registry_creds` set in the pipeline.
   *
   * @default - no image pull Secret is written (an existing one is used as is)
   */
  readonly registryCreds?: string;

  /**
   * Revision of `registryCreds` (same rules as `passwordRevision`): raise it when the
   * image pull credentials are rotated, and the next deploy rewrites the image pull Secret.
   *
   * @default 1
   */
  readonly registryCredsRevision?: number;

  /**
   * Log level of the controllers: `debug`, `info` or `error`.
   *
   * @default 'info'
   */
  readonly logLevel?: 'debug' | 'info' | 'error';

  /**
   * Deny ingress to the controllers from other namespaces.
   *
   * @default true
   */
  readonly networkPolicy?: boolean;

  /**
   * Registry the controller images come from.
   *
   * @default 'ghcr.io/fluxcd'
   */
  readonly registry?: string;

  /**
   * Toleration keys that let the controllers run on tainted nodes.
   *
   * @default []
   */
  readonly tolerationKeys?: readonly string[];

  /**
   * Flux version whose components are installed, e.g. `v2.9.4`.
   *
   * @default - the latest stable Flux 2.x release this package knows
   */
  readonly version?: string;

  /**
   * Watch all namespaces, or only the one Flux is installed in.
   *
   * @default true
   */
  readonly watchAllNamespaces?: boolean;

  /**
   * A PEM CA bundle the registries' TLS certificates are checked against, by `flux-oci` and,
   * through the `certSecretRef` Secret, by source-controller.
   *
   * @default - the system's trusted roots
   */
  readonly caFile?: string;

  /**
   * Talk to the registries over plain HTTP (the OCIRepositories get `insecure: true`).
   *
   * @default false
   */
  readonly allowInsecureHttp?: boolean;

  /**
   * Namespace Flux is installed in.
   *
   * @default 'flux-system'
   */
  readonly namespace?: string;

  /**
   * How often the OCIRepositories check their registry for a new artifact.
   *
   * @default '1m'
   */
  readonly interval?: string;

  /**
   * How often the Kustomizations re-apply their artifact.
   *
   * @default '1h'
   */
  readonly kustomizationInterval?: string;

  /**
   * How soon a failed Kustomization is retried.
   *
   * @default '5m'
   */
  readonly retryInterval?: string;

  /**
   * Pin the `flux-components` OCIRepository to the pushed digest instead of following the
   * tag. A tag moved by CI is then ignored until the next bootstrap.
   *
   * @default false
   */
  readonly pinByDigest?: boolean;

  /**
   * Allow moving the components tag to a Flux version older than the one the artifact it
   * points at was generated with (e.g. after `flux-oci upgrade` moved it, RFC story 4).
   * Without it the install step fails naming both versions: set `version` instead.
   *
   * @default false
   */
  readonly allowDowngrade?: boolean;

  /**
   * A local directory or `manifests.tar.gz` with the Flux release manifests, for machines
   * without access to the Flux releases.
   *
   * @default - `FLUX_MANIFESTS` from the environment, else downloaded for `version`
   */
  readonly manifests?: string;

  /**
   * Base URL of a mirror of the Flux releases, serving `<base>/download/<version>/manifests.tar.gz`.
   *
   * @default 'https://github.com/fluxcd/flux2/releases'
   */
  readonly manifestsBaseUrl?: string;

  /**
   * Path of the kubeconfig file used to reach the cluster. In the construct it may be
   * another resource's output, known only at deploy time (so may `context` and the user
   * names): the steps then receive it in their environment, never on a command line.
   *
   * @default - `KUBECONFIG` from the environment, else `~/.kube/config`
   */
  readonly kubeconfig?: string;

  /**
   * kubeconfig context to use.
   *
   * @default - the kubeconfig's current context
   */
  readonly context?: string;

  /**
   * How long to wait for each step (registry calls, CRDs, readiness) before failing.
   *
   * @default '5m'
   */
  readonly timeout?: string;

  /**
   * Keep the namespace when Flux is uninstalled (`cdktf destroy`, `flux-oci uninstall`).
   *
   * @default false
   */
  readonly keepNamespace?: boolean;

  /**
   * Go ahead when Flux on the cluster was installed by another tool such as Helm (label
   * `app.kubernetes.io/managed-by`), as `flux bootstrap --force`; without it the install
   * step fails naming that tool, before anything is pushed or applied.
   *
   * @default false
   */
  readonly force?: boolean;

  /**
   * A cosign private key that signs the pushed components artifact (and the empty cluster
   * artifact): the encrypted `cosign.key` that `cosign generate-key-pair` writes, or a plain
   * PKCS#8 EC P-256 PEM. The signature is stored as `cosign sign --key` stores it, without a
   * transparency log entry, and the `flux-components` OCIRepository verifies it (see
   * `verifyPublicKey`).
   *
   * @default - nothing is signed
   */
  readonly cosignKey?: string;

  /**
   * Password of an encrypted `cosignKey`. Never give it as a literal: on the command line
   * set `COSIGN_PASSWORD` (as for cosign); in CDKTF pass a sensitive `TerraformVariable`'s
   * value, which reaches the pre-apply step only through its environment.
   *
   * @default - `COSIGN_PASSWORD` from the environment
   */
  readonly cosignPassword?: string;

  /**
   * The signature verification provider of the OCIRepositories (`.spec.verify.provider`);
   * only `cosign` is supported.
   *
   * @default - 'cosign' when a key or identity to verify with is given, else no verification
   */
  readonly verifyProvider?: 'cosign';

  /**
   * A cosign public key (`cosign.pub`) the `flux-components` OCIRepository verifies the
   * components artifact with: written to the Secret `flux-components-cosign` as `cosign.pub`
   * and referenced by `.spec.verify.secretRef`, so source-controller refuses an artifact
   * this key has not signed.
   *
   * @default - the public key of `cosignKey` when it is given, else no verification
   */
  readonly verifyPublicKey?: string;

  /**
   * A cosign public key the `flux-system` OCIRepository verifies the cluster artifact with
   * (Secret `flux-system-cosign`). Only with `clusterUrl`.
   *
   * @default - no verification of the cluster artifact, unless `clusterVerifyIssuer` is set
   */
  readonly clusterVerifyPublicKey?: string;

  /**
   * Keyless verification of the cluster artifact, signed elsewhere (e.g. by CI with
   * `cosign sign` and its OIDC identity): a regular expression the signing certificate's
   * OIDC issuer must match (`.spec.verify.matchOIDCIdentity[].issuer`). Needs
   * `clusterVerifySubject`; not with `clusterVerifyPublicKey`. source-controller then checks
   * the signature against the public Sigstore services, which it must be able to reach.
   *
   * @default - no keyless verification
   */
  readonly clusterVerifyIssuer?: string;

  /**
   * With `clusterVerifyIssuer`: a regular expression the signing certificate's identity
   * (subject) must match, e.g. `^https://github.com/acme/fleet/.github/workflows/push.yaml@refs/heads/main$`.
   *
   * @default - no keyless verification
   */
  readonly clusterVerifySubject?: string;
}

/** The props only the construct has: what the command reads afresh on every run needs no flag. */
export type ConstructOnlyOption =
  'passwordRevision' | 'clusterPasswordRevision' | 'registryCredsRevision';

/** The options the command has a flag for. */
export type CommandOption = Exclude<keyof BootstrapOciOptions, ConstructOnlyOption>;
