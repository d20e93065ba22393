// The two functions, not the package's index (48 files, on every command that names a
// version in its flags: `upgrade --help` took 3.2x bare node's start).
import lt from 'semver/functions/lt.js';
import parse from 'semver/functions/parse.js';
import { UserError } from '../errors.js';

/** The Flux release used when no version is given: the latest stable 2.x known to this package. */
export const DEFAULT_FLUX_VERSION = 'v2.9.5';

/** The oldest Flux release supported: the first that serves `source.toolkit.fluxcd.io/v1` OCIRepository. */
export const MINIMUM_FLUX_VERSION = 'v2.6.0';

/**
 * Normalises a Flux version to `vX.Y.Z` and refuses versions older than 2.6. `latest` is
 * returned as is (it is resolved by the manifests source).
 */
export function normalizeFluxVersion(version: string): string {
  const trimmed = version.trim();
  if (trimmed === 'latest') return trimmed;
  if (trimmed === '') {
    throw new UserError(
      `the Flux version is empty; give one like ${DEFAULT_FLUX_VERSION} (or leave it unset for the default)`,
    );
  }
  const parsed = parse(trimmed.startsWith('v') ? trimmed.slice(1) : trimmed);
  if (!parsed) {
    throw new UserError(
      `"${version}" is not a Flux version; give a release version like ${DEFAULT_FLUX_VERSION}`,
    );
  }
  if (lt(parsed, MINIMUM_FLUX_VERSION.slice(1))) {
    throw new UserError(
      `Flux ${version} is not supported: OCIRepository source.toolkit.fluxcd.io/v1 needs Flux ${MINIMUM_FLUX_VERSION} or later; use --version ${DEFAULT_FLUX_VERSION}`,
    );
  }
  return `v${parsed.version}`;
}
