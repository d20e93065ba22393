import { UserError } from '../../errors.js';
import type { KubeObject } from '../../kube/object.js';
import { parseManifests } from '../../kube/manifests.js';

/** The release manifests of one Flux version: `<component>.yaml`, `rbac.yaml`, `policies.yaml`. */
export interface ManifestsBundle {
  /** Flux version, `vX.Y.Z`. */
  readonly version: string;
  /** YAML text by file name, for the files at the bundle's root. */
  readonly files: ReadonlyMap<string, string>;
  /** Where the bundle came from (URL or path), for messages. */
  readonly origin: string;
  /**
   * True when the downloaded bundle's sha256 matched a pinned checksum or the checksums file
   * published with the release; false for local bundles and unverifiable downloads.
   */
  readonly verified: boolean;
}

/** The objects of one bundle file; a missing file is an error naming the bundle and the fix. */
export function readBundleObjects(bundle: ManifestsBundle, fileName: string): KubeObject[] {
  const text = bundle.files.get(fileName);
  if (text === undefined) {
    const available = [...bundle.files.keys()].sort().join(', ');
    throw new UserError(
      `the Flux ${bundle.version} manifests from ${bundle.origin} have no ${fileName} (found: ${available}); use a bundle with the release layout, or drop that component`,
    );
  }
  return parseManifests(text, `${bundle.origin}/${fileName}`);
}
