import { UserError } from '../errors.js';
import { buildReproducibleArtifact } from './build-components.js';
import { DEFAULT_FLUX_VERSION, normalizeFluxVersion } from '../flux/flux-versions.js';
import { generateComponents } from '../flux/generate-components.js';
import {
  resolveInstallOptions,
  type InstallOptions,
  type LogLevel,
} from '../flux/install-options.js';
import { loadManifests } from '../flux/manifests/source.js';
import { COMPONENTS_FILE } from '../flux/kustomize/user-kustomization.js';
import { parseManifests } from '../kube/manifests.js';
import type { BuiltArtifact } from '../oci/content/build.js';
import { readLayer, safeParts } from '../oci/content/archive/extract.js';
import { RegistryClient } from '../oci/registry/client.js';
import type { OciProvider } from '../oci/provider.js';
import type { RegistryClientOptions } from '../oci/registry/client-options.js';
import { pullArtifact } from '../oci/registry/pull.js';
import { pushArtifact } from '../oci/registry/push.js';
import { resolveArtifact } from '../oci/registry/resolve.js';
import { tagArtifact } from '../oci/registry/tag.js';
import { openCosignKey, type CosignSigner } from '../oci/signing/cosign-key.js';
import { signArtifact } from '../oci/signing/sign-artifact.js';
import {
  parseOciReference,
  referenceName,
  repositoryName,
  withDigest,
  type OciReference,
} from '../oci/reference.js';
import { silentProgressLogger, type ProgressLogger } from './progress-logger.js';
import { COMPONENTS_SOURCE, unpackComponents } from './build-components.js';
import { parseDuration } from '../duration.js';
import { basicAuthUsername } from './options/basic-auth-username.js';
import { isOlderFlux } from './downgrade-guard.js';
import { installedComponents, type InstalledComponents } from '../flux/installed-components.js';
import { PASSWORD_ENV } from '../oci/registry/credentials.js';
import { registryAccess } from './registry-access.js';

/**
 * RFC story 4: Flux updated from CI without access to the cluster. Every install option
 * ({@link InstallOptions}) defaults to what the artifact was generated with (its
 * `# Components:` header, image registry, network policies and controller flags), not to
 * `flux install`'s defaults, so only what is given changes; `componentsExtra` is added to
 * the artifact's components.
 */
export interface UpgradeComponentsOptions extends Omit<InstallOptions, 'namespace' | 'logLevel'> {
  /** `oci://<registry>/<repository>:<tag>` of the components artifact whose tag Flux follows. */
  readonly url: string;
  /**
   * Flux version to regenerate the components for (`latest` needs network access).
   * @default DEFAULT_FLUX_VERSION, the latest stable release this package knows
   */
  readonly version?: string;
  /**
   * Allow a version older than the artifact's (never older than 2.6).
   * @default false
   */
  readonly allowDowngrade?: boolean;
  /**
   * Controllers' log level.
   * @default - the artifact's `--log-level`
   */
  readonly logLevel?: LogLevel;
  /**
   * Namespace Flux is installed in: the artifact's directory holding gotk-components.yaml.
   * @default - the one directory of the artifact that holds gotk-components.yaml
   */
  readonly namespace?: string;
  /**
   * `org.opencontainers.image.source` of the new artifact.
   * @default COMPONENTS_SOURCE, as the bootstrap writes it
   */
  readonly source?: string;
  /**
   * `org.opencontainers.image.revision` of the new artifact.
   * @default - the Flux version, as the bootstrap writes it
   */
  readonly revision?: string;
  /**
   * Local release manifests (directory or manifests.tar.gz).
   * @default - `FLUX_MANIFESTS` from the environment, else downloaded for `version`
   */
  readonly manifests?: string;
  /**
   * Releases base URL or a mirror with the same layout.
   * @default 'https://github.com/fluxcd/flux2/releases'
   */
  readonly manifestsBaseUrl?: string;
  /**
   * Registry user name.
   * @default - the Docker/Podman auth file, else anonymous
   */
  readonly username?: string;
  /**
   * Log in with the cloud's identity: `aws` (ECR), `azure` (ACR) or `gcp` (Artifact
   * Registry), as `RegistryClientOptions.provider`; not together with `username`.
   * @default 'generic' - `username`, else the auth file, else anonymous
   */
  readonly provider?: OciProvider;
  /**
   * Registry password; never pass it on a command line.
   * @default - `OCI_PASSWORD` from `env` when `username` is set
   */
  readonly password?: string;
  /**
   * PEM file of a CA to trust next to the system roots.
   * @default - the system's trusted roots
   */
  readonly caFile?: string;
  /**
   * Allow plain HTTP for a registry that does not speak TLS.
   * @default false
   */
  readonly allowInsecureHttp?: boolean;
  /**
   * Deadline of each registry operation, as a Go duration.
   * @default '5m'
   */
  readonly timeout?: string;
  /**
   * A cosign key that signs the new artifact before the tag moves to it (see
   * `BootstrapOciOptions.cosignKey`), so a `flux-components` OCIRepository that verifies
   * signatures keeps reconciling; its password comes from `COSIGN_PASSWORD` in `env`.
   * @default - the new artifact is not signed
   */
  readonly cosignKey?: string;
  /**
   * Where progress lines go.
   * @default silentProgressLogger
   */
  readonly logger?: ProgressLogger;
  /** @default process.env */
  readonly env?: NodeJS.ProcessEnv;
}

/** What the upgrade found and did. */
export interface UpgradeComponentsResult {
  /** `registry/repository:tag` that was upgraded. */
  readonly reference: string;
  /** Flux version of the artifact the tag pointed at. */
  readonly previousVersion: string;
  /** `sha256:` the tag pointed at. */
  readonly previousDigest: string;
  /** Flux version the tag points at now. */
  readonly version: string;
  /** `sha256:` the tag points at now; the previous one when nothing changed. */
  readonly digest: string;
  /** False when the artifact already held these components: nothing was pushed. */
  readonly changed: boolean;
}

/**
 * Pulls the components artifact `url` names (digests verified), regenerates its
 * gotk-components.yaml for another Flux version while keeping every other file (the
 * user's kustomization and patches), checks that the patches still apply, pushes the new
 * artifact by digest, reads it back, and only then moves the tag, unless someone else
 * moved it meanwhile. The digest is the artifact's immutable checksum address. Identical
 * content pushes nothing.
 */
export async function upgradeComponents(
  options: UpgradeComponentsOptions,
): Promise<UpgradeComponentsResult> {
  const logger = options.logger ?? silentProgressLogger;
  const ref = componentsReference(options.url);
  const requested = normalizeFluxVersion(options.version ?? DEFAULT_FLUX_VERSION);
  const given = givenInstallOptions(options);
  // Check the flags before any request: a typo must not cost a pull.
  resolveInstallOptions(given);
  const env = options.env ?? process.env;
  const signer =
    options.cosignKey === undefined ? undefined : openCosignKey(options.cosignKey, env);
  const client = new RegistryClient(ref.registry, upgradeRegistryAccess(options));
  try {
    logger.step(`pulling components artifact ${referenceName(ref)}`);
    const current = await readComponentsArtifact(ref, client, options.namespace);
    logger.success(`pulled ${current.digestReference} (Flux ${current.installed.version})`);
    if (requested !== 'latest') checkDirection(current.installed.version, requested, options);

    logger.step(`generating Flux ${requested} component manifests`);
    const bundle = await loadManifests({
      version: requested,
      manifestsPath: options.manifests,
      baseUrl: options.manifestsBaseUrl,
      env: options.env,
    });
    checkDirection(current.installed.version, bundle.version, options);
    const generated = generateComponents(bundle, mergeOptions(current.installed.options, given));
    const result = {
      reference: referenceName(ref),
      previousVersion: current.installed.version,
      previousDigest: current.digest,
      version: bundle.version,
      digest: current.digest,
      changed: false,
    };
    if (generated.text === current.componentsText) {
      logger.success(
        `${referenceName(ref)} is already at Flux ${bundle.version} with these options: nothing to push`,
      );
      if (signer) await sign(ref, current.digest, signer, client, logger);
      return result;
    }
    const componentsPath = `${current.namespace}/${COMPONENTS_FILE}`;
    const artifact = await buildFromFilesMap(
      new Map(current.files).set(componentsPath, generated.text),
      {
        source: options.source ?? COMPONENTS_SOURCE,
        revision: options.revision ?? bundle.version,
      },
    );
    // What kustomize-controller will build: the user's patches must still apply.
    const objects = unpackComponents(artifact, current.namespace);
    logger.success(
      `generated Flux ${bundle.version} component manifests (${objects.length} objects), ${current.namespace}/kustomization.yaml kept`,
    );
    await publish(ref, current.digest, artifact, client, logger, signer);
    logger.success(
      `${referenceName(ref)} now points at ${artifact.manifest.descriptor.digest}: Flux updates itself to ${bundle.version} at its next reconciliation`,
    );
    return { ...result, digest: artifact.manifest.descriptor.digest, changed: true };
  } finally {
    await client.close();
  }
}

/** The artifact the tag points at, with its files and what its components were generated with. */
interface CurrentArtifact {
  readonly digest: string;
  readonly digestReference: string;
  /** Regular files of the layer by slash-separated path. */
  readonly files: ReadonlyMap<string, string>;
  readonly namespace: string;
  readonly componentsText: string;
  readonly installed: InstalledComponents;
}

async function readComponentsArtifact(
  ref: OciReference,
  client: RegistryClient,
  namespaceOption: string | undefined,
): Promise<CurrentArtifact> {
  const pulled = await pullArtifact(ref, { client });
  const name = referenceName(ref);
  const files = layerFiles(pulled.layer.bytes, name);
  const namespace = componentsNamespace(files, namespaceOption, name);
  const path = `${namespace}/${COMPONENTS_FILE}`;
  const componentsText = files.get(path)!;
  const installed = installedComponents(
    componentsText,
    parseManifests(componentsText, path),
    `${path} of ${name}`,
  );
  return {
    digest: pulled.digest,
    digestReference: pulled.digestReference,
    files,
    namespace,
    componentsText,
    installed,
  };
}

/**
 * Pushes the artifact by digest, reads it back (digests verified), then moves the tag,
 * unless it no longer points at `previousDigest`: someone else upgraded or deployed
 * meanwhile, and their choice stands.
 */
async function publish(
  ref: OciReference,
  previousDigest: string,
  artifact: BuiltArtifact,
  client: RegistryClient,
  logger: ProgressLogger,
  signer: CosignSigner | undefined,
): Promise<void> {
  const digest = artifact.manifest.descriptor.digest;
  const pinned = withDigest(ref, digest);
  logger.step(`pushing components artifact to ${repositoryName(ref)}@${digest}`);
  await pushArtifact(pinned, artifact, { client });
  await pullArtifact(pinned, { client });
  logger.success(`components artifact pushed to ${repositoryName(ref)}@${digest}`);
  // Signed before the tag names it: a verifying OCIRepository never sees it unsigned.
  if (signer) await sign(ref, digest, signer, client, logger);

  logger.step(`moving tag ${referenceName(ref)} from ${previousDigest} to ${digest}`);
  const now = (await resolveArtifact(ref, { client }))?.digest;
  if (now === digest) return; // the same upgrade, run concurrently
  if (now !== previousDigest) {
    throw new UserError(
      `the tag ${referenceName(ref)} moved to ${now ?? 'nothing'} during the upgrade (another upgrade or deploy?); it was left as it is and the new artifact is at ${repositoryName(ref)}@${digest}; run the upgrade again`,
    );
  }
  await tagArtifact(pinned, [ref.tag!], { client });
}

async function sign(
  ref: OciReference,
  digest: string,
  signer: CosignSigner,
  client: RegistryClient,
  logger: ProgressLogger,
): Promise<void> {
  const signed = await signArtifact(ref, digest, signer, { client });
  logger.success(
    signed.alreadySigned
      ? `${repositoryName(ref)}@${digest} is already signed with ${signer.source}`
      : `components artifact signed: ${signed.signatureReference}`,
  );
}

function componentsReference(url: string): OciReference {
  if (!url) {
    throw new UserError(
      '--url is required: the components artifact as oci://<registry>/<repository>:<tag>',
    );
  }
  const ref = parseOciReference(url, { defaultTag: false });
  if (ref.digest !== undefined || ref.tag === undefined) {
    throw new UserError(
      `--url ${url} must name the tag Flux follows (oci://<registry>/<repository>:<tag>): the upgrade moves that tag`,
    );
  }
  return ref;
}

function upgradeRegistryAccess(options: UpgradeComponentsOptions): RegistryClientOptions {
  const timeoutMs = parseDuration(options.timeout ?? '5m', '--timeout', 'timeout');
  const env = options.env ?? process.env;
  const username =
    options.username === undefined ? undefined : basicAuthUsername('--username', options.username);
  const settings = {
    provider: options.provider,
    caFile: options.caFile,
    allowInsecureHttp: options.allowInsecureHttp ?? false,
    timeoutMs,
  };
  const password = options.password ?? env[PASSWORD_ENV];
  return { ...registryAccess(settings, username, password, 'password'), env };
}

/** The install options the caller gave; the others come from the artifact. */
function givenInstallOptions(options: UpgradeComponentsOptions): InstallOptions {
  const given: InstallOptions = {
    components: options.components,
    componentsExtra: options.componentsExtra,
    registry: options.registry,
    imagePullSecret: options.imagePullSecret,
    networkPolicy: options.networkPolicy,
    watchAllNamespaces: options.watchAllNamespaces,
    logLevel: options.logLevel,
    clusterDomain: options.clusterDomain,
    tolerationKeys: options.tolerationKeys,
  };
  return Object.fromEntries(
    Object.entries(given).filter(([, value]) => value !== undefined),
  ) as InstallOptions;
}

/**
 * The artifact's options with the given ones over them. An extra component the artifact
 * already has is not listed twice.
 */
function mergeOptions(
  installed: InstalledComponents['options'],
  given: InstallOptions,
): InstallOptions {
  const extra = given.componentsExtra ?? [];
  const components = (given.components ?? installed.components).filter((c) => !extra.includes(c));
  return { ...installed, ...given, components, componentsExtra: extra };
}

/** Regular files of the layer by path; names are checked as an extraction would check them. */
function layerFiles(layer: Uint8Array, name: string): Map<string, string> {
  const files = new Map<string, string>();
  for (const entry of readLayer(layer)) {
    const parts = safeParts(entry.name);
    if (entry.kind === 'file' && parts.length > 0) {
      files.set(parts.join('/'), Buffer.from(entry.content).toString('utf8'));
    } else if (entry.kind !== 'directory') {
      throw new UserError(
        `${name} holds ${entry.kind} ${entry.name}; a components artifact holds only files: rebuild it with flux-oci bootstrap oci`,
      );
    }
  }
  return files;
}

/** The directory holding gotk-components.yaml: the namespace the bootstrap wrote it for. */
function componentsNamespace(
  files: ReadonlyMap<string, string>,
  namespace: string | undefined,
  name: string,
): string {
  const found = [...files.keys()]
    .filter((path) => /^[^/]+\/[^/]+$/.test(path) && path.endsWith(`/${COMPONENTS_FILE}`))
    .map((path) => path.slice(0, -COMPONENTS_FILE.length - 1));
  if (namespace !== undefined) {
    if (found.includes(namespace)) return namespace;
    throw new UserError(
      `${name} has no ${namespace}/${COMPONENTS_FILE} (found: ${found.map((ns) => `${ns}/${COMPONENTS_FILE}`).join(', ') || 'none'}); check --namespace and --url`,
    );
  }
  if (found.length === 1) return found[0];
  if (found.length === 0) {
    throw new UserError(
      `${name} has no <namespace>/${COMPONENTS_FILE}, so it is not a Flux components artifact; check --url`,
    );
  }
  throw new UserError(
    `${name} holds ${found.map((ns) => `${ns}/${COMPONENTS_FILE}`).join(' and ')}; choose one with --namespace`,
  );
}

/** Versions older than the artifact's are refused unless asked for: CRDs may not go back. */
function checkDirection(
  installed: string,
  target: string,
  options: UpgradeComponentsOptions,
): void {
  if (isOlderFlux(target, installed) && !options.allowDowngrade) {
    throw new UserError(
      `Flux ${target} is older than the artifact's ${installed}: a downgrade can leave custom resources in versions the older controllers do not serve; give --version ${installed} or newer, or pass --allow-downgrade`,
    );
  }
}

function buildFromFilesMap(
  files: ReadonlyMap<string, string>,
  annotations: { source: string; revision: string },
): Promise<BuiltArtifact> {
  return buildReproducibleArtifact(
    [...files].map(([path, content]) => ({ path, content })),
    annotations,
  );
}
