import { UserError } from '../../errors.js';
import type { Artifact, Descriptor } from '../content/descriptor.js';
import { getManifest } from './manifests.js';
import { toReference, withClient, type OperationOptions } from './operation.js';
import { FLUX_CONTENT_MEDIA_TYPE } from '../content/media-types.js';
import { parseImageManifest, selectLayer } from './pull.js';
import { referenceIdentifier, referenceName, type OciReference } from '../reference.js';

export interface ArtifactDiff {
  /** The content layers have the same digest and size. */
  readonly same: boolean;
  readonly local: Descriptor;
  readonly remote: Descriptor;
}

/**
 * Compares a local content layer (of a built artifact, or its descriptor) with the remote
 * artifact's by digest and size, as `flux diff artifact` does: one manifest request, no
 * blob download.
 */
export async function diffArtifact(
  reference: OciReference | string,
  local: Artifact | Descriptor,
  options: OperationOptions = {},
): Promise<ArtifactDiff> {
  const ref = toReference(reference);
  const localLayer =
    'manifest' in local
      ? selectLayer(
          {
            schemaVersion: 2,
            config: local.config.descriptor,
            layers: local.layers.map((l) => l.descriptor),
          },
          FLUX_CONTENT_MEDIA_TYPE,
        )
      : local;
  if (!localLayer) throw new UserError('the local artifact has no layers');
  return withClient(ref.registry, options, async (client) => {
    const remoteManifest = await getManifest(
      client,
      ref.repository,
      referenceIdentifier(ref),
      client.operationSignal(),
    );
    const name = referenceName(ref);
    const manifest = parseImageManifest(remoteManifest.bytes, remoteManifest.mediaType, name);
    const remote = selectLayer(manifest, FLUX_CONTENT_MEDIA_TYPE);
    if (!remote) throw new UserError(`artifact ${name} has no layers`);
    const same = remote.digest === localLayer.digest && remote.size === localLayer.size;
    return { same, local: localLayer, remote };
  });
}
