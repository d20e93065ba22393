import { readFile } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import { UserError } from '../../errors.js';
import { readArchiveYamlFiles } from './bundle-archive.js';
import { DEFAULT_FLUX_VERSION } from '../flux-versions.js';
import type { ManifestsBundle } from './bundle.js';

/**
 * The Flux version whose release manifests ship in the package, as the Flux CLI embeds its own:
 * used without a download whenever that version is wanted and no bundle or mirror is named.
 */
export const EMBEDDED_FLUX_VERSION = DEFAULT_FLUX_VERSION;

/**
 * The shipped bundle, made by scripts/generate-embedded-manifests.sh the way Flux's release
 * makes manifests.tar.gz. Resolved from this file, so it is found from src/ and from dist/.
 */
export const EMBEDDED_MANIFESTS_FILE = fileURLToPath(
  new URL(`../../../flux-manifests/${EMBEDDED_FLUX_VERSION}.tar.gz`, import.meta.url),
);

/** Loads the manifests the package ships for EMBEDDED_FLUX_VERSION. */
export async function loadEmbeddedManifests(): Promise<ManifestsBundle> {
  const archive = await readFile(EMBEDDED_MANIFESTS_FILE).catch(() => undefined);
  if (!archive) {
    throw new UserError(
      `the Flux ${EMBEDDED_FLUX_VERSION} manifests this package ships (${EMBEDDED_MANIFESTS_FILE}) are missing; reinstall flux-bootstrap-oci, or pass --manifests <directory or manifests.tar.gz>`,
    );
  }
  const files = await readArchiveYamlFiles(new Uint8Array(archive), EMBEDDED_MANIFESTS_FILE);
  return {
    version: EMBEDDED_FLUX_VERSION,
    files,
    origin: EMBEDDED_MANIFESTS_FILE,
    // Part of the package itself, like the Flux CLI's embedded manifests.
    verified: true,
  };
}
