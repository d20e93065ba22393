import { createHash } from 'node:crypto';
import { mkdir, readdir, readFile, rename, stat, writeFile } from 'node:fs/promises';
import { homedir } from 'node:os';
import { join, posix } from 'node:path';
import { UserError } from '../../errors.js';
import { readArchiveYamlFiles } from './bundle-archive.js';
import { EMBEDDED_FLUX_VERSION, loadEmbeddedManifests } from './embedded.js';
import { DEFAULT_FLUX_VERSION, normalizeFluxVersion } from '../flux-versions.js';
import { PINNED_MANIFEST_CHECKSUMS } from './checksums.js';
import type { ManifestsBundle } from './bundle.js';

/** Where Flux publishes its releases; `<base>/download/<version>/manifests.tar.gz`. */
export const FLUX_RELEASES_BASE_URL = 'https://github.com/fluxcd/flux2/releases';

/** Environment variable naming a local manifests bundle (directory or archive). */
export const FLUX_MANIFESTS_ENV = 'FLUX_MANIFESTS';

/** Where the Flux component manifests come from. */
export interface ManifestsSourceOptions {
  /**
   * Flux version (`v2.9.4`, `2.9.4` or `latest`).
   * @default DEFAULT_FLUX_VERSION
   */
  readonly version?: string;
  /**
   * A local directory or `.tar.gz` with the release layout; nothing is downloaded.
   * @default - the FLUX_MANIFESTS environment variable, else the embedded manifests for
   * EMBEDDED_FLUX_VERSION, else a download
   */
  readonly manifestsPath?: string;
  /**
   * Releases base URL, or a mirror with the same layout (`<base>/download/<version>/manifests.tar.gz`).
   * @default FLUX_RELEASES_BASE_URL
   */
  readonly baseUrl?: string;
  /**
   * Directory downloaded bundles are cached in, one `<version>/manifests.tar.gz` each.
   * @default - `$FLUX_OCI_CACHE/manifests`, else ~/.cache/flux-bootstrap-oci/manifests
   */
  readonly cacheDir?: string;
  /**
   * Pinned sha256 (hex) of manifests.tar.gz by version; downloads of listed versions must match.
   * @default PINNED_MANIFEST_CHECKSUMS
   */
  readonly checksums?: Readonly<Record<string, string>>;
  /**
   * Environment read for FLUX_MANIFESTS and FLUX_OCI_CACHE.
   * @default process.env
   */
  readonly env?: Readonly<Record<string, string | undefined>>;
  /**
   * Download timeout in milliseconds.
   * @default 60000
   */
  readonly timeoutMs?: number;
}

/**
 * Loads the release manifests for a Flux version: from a local bundle when one is named,
 * otherwise, for the version the package ships, the embedded ones (unless a mirror is named),
 * otherwise from the on-disk cache, otherwise downloaded once, verified and cached.
 */
export async function loadManifests(
  options: ManifestsSourceOptions = {},
): Promise<ManifestsBundle> {
  const env = options.env ?? process.env;
  const requested = normalizeFluxVersion(options.version ?? DEFAULT_FLUX_VERSION);
  const localPath = options.manifestsPath ?? env[FLUX_MANIFESTS_ENV];
  if (localPath) {
    if (requested === 'latest') {
      throw new UserError(
        `--version latest cannot be used with a local manifests bundle (${localPath}); give the bundle's exact version, e.g. ${DEFAULT_FLUX_VERSION}`,
      );
    }
    return loadLocalManifests(localPath, requested);
  }
  const baseUrl = (options.baseUrl ?? FLUX_RELEASES_BASE_URL).replace(/\/+$/, '');
  // As `flux install` does for its own version: no download, so synth works offline.
  if (requested === EMBEDDED_FLUX_VERSION && baseUrl === FLUX_RELEASES_BASE_URL) {
    return loadEmbeddedManifests();
  }
  const timeoutMs = options.timeoutMs ?? 60_000;
  const version =
    requested === 'latest' ? await resolveLatestVersion(baseUrl, env, timeoutMs) : requested;
  const checksums = options.checksums ?? PINNED_MANIFEST_CHECKSUMS;
  const pinned = checksums[version];
  const cacheDir = options.cacheDir ?? defaultCacheDir(env);
  const cachedFile = join(cacheDir, version, 'manifests.tar.gz');
  const url = `${baseUrl}/download/${version}/manifests.tar.gz`;

  let archive = await readIfExists(cachedFile);
  let verified = false;
  if (archive) {
    const digest = sha256(archive);
    if (pinned) {
      verified = digest === pinned;
      if (!verified) archive = undefined; // stale or tampered: download again
    } else {
      const recorded = await readIfExists(`${cachedFile}.sha256`);
      verified = recorded !== undefined && Buffer.from(recorded).toString('utf8').trim() === digest;
    }
  }
  if (!archive) {
    archive = await download(url, version, env, timeoutMs);
    const digest = sha256(archive);
    // Unpinned versions are checked against the checksums file published with the release.
    const expected = pinned ?? (await publishedChecksum(baseUrl, version, env, timeoutMs));
    if (expected !== undefined && digest !== expected) {
      throw new UserError(
        `the Flux ${version} manifests downloaded from ${url} have sha256 ${digest}, not the ${pinned ? 'pinned' : 'published'} ${expected}; the download or the mirror is corrupt or tampered with; fix the mirror or use --manifests`,
      );
    }
    verified = expected !== undefined;
    await writeAtomically(cachedFile, archive);
    if (verified && !pinned) await writeAtomically(`${cachedFile}.sha256`, Buffer.from(digest));
  }
  const files = bundleRoot(await readArchiveYamlFiles(archive, url), url);
  return { version, files, origin: url, verified };
}

/** Loads a bundle from a local directory or `.tar.gz`; its version is taken on trust. */
export async function loadLocalManifests(path: string, version: string): Promise<ManifestsBundle> {
  const normalized = normalizeFluxVersion(version);
  const info = await stat(path).catch(() => undefined);
  if (!info) {
    throw new UserError(
      `the Flux manifests path ${path} does not exist; give a directory or manifests.tar.gz with the release layout (rbac.yaml, <component>.yaml)`,
    );
  }
  const files = info.isDirectory()
    ? await readDirectoryYamlFiles(path)
    : await readArchiveYamlFiles(await readFile(path), path);
  return { version: normalized, files: bundleRoot(files, path), origin: path, verified: false };
}

/** The directory's YAML files and those one level down, keyed by relative path. */
async function readDirectoryYamlFiles(dir: string): Promise<Map<string, string>> {
  const files = new Map<string, string>();
  for (const entry of await readdir(dir, { withFileTypes: true })) {
    if (entry.isFile() && /\.ya?ml$/.test(entry.name)) {
      files.set(entry.name, await readFile(join(dir, entry.name), 'utf8'));
    } else if (entry.isDirectory()) {
      for (const child of await readdir(join(dir, entry.name), { withFileTypes: true })) {
        if (child.isFile() && /\.ya?ml$/.test(child.name)) {
          files.set(
            `${entry.name}/${child.name}`,
            await readFile(join(dir, entry.name, child.name), 'utf8'),
          );
        }
      }
    }
  }
  return files;
}

/**
 * The files of the directory that holds rbac.yaml, keyed by file name: release archives put
 * the files at the root, repackaged ones sometimes under one directory.
 */
function bundleRoot(files: Map<string, string>, origin: string): Map<string, string> {
  const rbac = [...files.keys()]
    .filter((name) => posix.basename(name) === 'rbac.yaml')
    .sort((a, b) => a.split('/').length - b.split('/').length)[0];
  if (rbac === undefined) {
    throw new UserError(
      `${origin} does not look like Flux release manifests (no rbac.yaml); give a manifests.tar.gz from a Flux release or a directory with the same files`,
    );
  }
  const root = posix.dirname(rbac);
  const result = new Map<string, string>();
  for (const [name, text] of files) {
    if (posix.dirname(name) === root) result.set(posix.basename(name), text);
  }
  return result;
}

/** A GET over the registry transport, loaded at the first download only. */
async function httpGet(
  ...args: Parameters<typeof import('./http-get.js').httpGet>
): ReturnType<typeof import('./http-get.js').httpGet> {
  return (await import('./http-get.js')).httpGet(...args);
}

/** The environment that names the proxies. */
type Env = Readonly<Record<string, string | undefined>>;

async function download(
  url: string,
  version: string,
  env: Env,
  timeoutMs: number,
): Promise<Uint8Array> {
  let response;
  try {
    response = await httpGet(url, { env, timeoutMs });
  } catch (err) {
    throw new UserError(
      `cannot download the Flux ${version} manifests from ${url} (${networkReason(err)}) and no local bundle was given; without network access pass --manifests <directory or manifests.tar.gz> (or set ${FLUX_MANIFESTS_ENV}), or --manifests-base-url <mirror>`,
    );
  }
  if (response.status === 404) {
    throw new UserError(
      `Flux ${version} does not exist at ${url} (HTTP 404); check --version (releases look like ${DEFAULT_FLUX_VERSION}) or the mirror's layout`,
    );
  }
  if (response.status < 200 || response.status > 299) {
    throw new UserError(
      `downloading the Flux ${version} manifests from ${url} failed with HTTP ${response.status}; retry, or pass --manifests <directory or manifests.tar.gz>`,
    );
  }
  return new Uint8Array(response.body);
}

/**
 * The sha256 of manifests.tar.gz from the release's `flux_<version>_checksums.txt`, or
 * undefined when the release (or mirror) does not publish one.
 */
async function publishedChecksum(
  baseUrl: string,
  version: string,
  env: Env,
  timeoutMs: number,
): Promise<string | undefined> {
  const url = `${baseUrl}/download/${version}/flux_${version.slice(1)}_checksums.txt`;
  try {
    const response = await httpGet(url, { env, timeoutMs });
    if (response.status < 200 || response.status > 299) return undefined;
    const line = response.body
      .toString('utf8')
      .split('\n')
      .map((l) => /^([a-f0-9]{64})\s+\*?manifests\.tar\.gz\s*$/.exec(l.trim()))
      .find((m) => m !== null);
    return line?.[1];
  } catch {
    return undefined;
  }
}

/** The tag of the newest release, from the GitHub API; mirrors must name a version. */
async function resolveLatestVersion(baseUrl: string, env: Env, timeoutMs: number): Promise<string> {
  if (baseUrl !== FLUX_RELEASES_BASE_URL) {
    throw new UserError(
      `--version latest can only be resolved against the Flux releases on GitHub, not the mirror ${baseUrl}; give an exact version, e.g. ${DEFAULT_FLUX_VERSION}`,
    );
  }
  const api = 'https://api.github.com/repos/fluxcd/flux2/releases/latest';
  try {
    const response = await httpGet(api, { env, timeoutMs });
    const ok = response.status >= 200 && response.status <= 299;
    const body = JSON.parse(response.body.toString('utf8')) as { tag_name?: unknown };
    if (!ok || typeof body.tag_name !== 'string') throw new Error(`HTTP ${response.status}`);
    return normalizeFluxVersion(body.tag_name);
  } catch (err) {
    if (err instanceof UserError) throw err;
    throw new UserError(
      `cannot resolve the latest Flux version from ${api} (${networkReason(err)}); give an exact --version, e.g. ${DEFAULT_FLUX_VERSION}`,
    );
  }
}

/** Why a GET failed, in a word where there is one (ECONNREFUSED, timed out). */
function networkReason(err: unknown): string {
  if (!(err instanceof Error)) return String(err);
  if (err.name === 'TimeoutError') return 'timed out';
  // A proxy that cannot be reached, or is malformed, says so in its own words.
  if (err instanceof UserError) return err.message;
  const code = (err as { code?: unknown }).code;
  return typeof code === 'string' ? code : err.message;
}

function defaultCacheDir(env: Readonly<Record<string, string | undefined>>): string {
  const root = env.FLUX_OCI_CACHE ?? join(homedir(), '.cache', 'flux-bootstrap-oci');
  return join(root, 'manifests');
}

function sha256(data: Uint8Array): string {
  return createHash('sha256').update(data).digest('hex');
}

async function readIfExists(file: string): Promise<Uint8Array | undefined> {
  try {
    return new Uint8Array(await readFile(file));
  } catch {
    return undefined;
  }
}

/** Writes through a temporary file and a rename, so a crash never leaves half a bundle. */
async function writeAtomically(file: string, data: Uint8Array): Promise<void> {
  await mkdir(join(file, '..'), { recursive: true });
  const tmp = `${file}.${process.pid}.tmp`;
  await writeFile(tmp, data);
  await rename(tmp, file);
}
