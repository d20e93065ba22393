import { UserError } from '../../errors.js';
import type { Artifact, Descriptor } from '../content/descriptor.js';
import { sha256Digest } from '../content/digest.js';
import { gunzip } from '../content/gzip/gzip.js';
import { FLUX_CONTENT_MEDIA_TYPE } from '../content/media-types.js';
import { referenceIdentifier, referenceName, type OciReference } from '../reference.js';
import { fetchBlob } from './api/blobs.js';
import { getManifest } from './api/manifests.js';
import { toReference, withClient, type OperationOptions } from './operation.js';
import { parseImageManifest, selectLayer } from './pull.js';

export interface DiffOptions extends OperationOptions {
  /**
   * `sha256:` of the local layer's uncompressed tar. When the compressed layers differ,
   * the remote layer is downloaded and its tar compared with this, so content compressed
   * by another deflate (Flux's Go one) still counts as the same.
   * @default the artifact's `diffId` when it has one, else layers are compared as Flux does
   */
  readonly localDiffId?: string;
  /** Largest remote tar accepted for that comparison. @default 100 MiB */
  readonly maxUncompressedBytes?: number;
}

export interface ArtifactDiff {
  /** The content is the same: equal layer digest and size, or equal uncompressed tar. */
  readonly same: boolean;
  /** How `same` was decided. */
  readonly comparedBy: 'layer' | 'tar';
  readonly local: Descriptor;
  readonly remote: Descriptor;
}

/**
 * Compares a local content layer with the remote artifact's, as `flux diff artifact`
 * does (digest and size: one manifest request); with the local tar's digest it goes one
 * step further when they differ and compares the uncompressed tars, since two gzip
 * encoders produce different bytes for the same tree.
 */
export async function diffArtifact(
  reference: OciReference | string,
  local: Artifact | Descriptor,
  options: DiffOptions = {},
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
  const localDiffId =
    options.localDiffId ??
    ('diffId' in local && typeof local.diffId === 'string' ? local.diffId : undefined);
  return withClient(ref.registry, options, async (client) => {
    const signal = client.operationSignal();
    const remoteManifest = await getManifest(
      client,
      ref.repository,
      referenceIdentifier(ref),
      signal,
    );
    const name = referenceName(ref);
    const manifest = parseImageManifest(remoteManifest.bytes, remoteManifest.mediaType, name);
    const remote = selectLayer(manifest, FLUX_CONTENT_MEDIA_TYPE);
    if (!remote) throw new UserError(`artifact ${name} has no layers`);
    if (remote.digest === localLayer.digest && remote.size === localLayer.size) {
      return { same: true, comparedBy: 'layer', local: localLayer, remote };
    }
    if (!localDiffId) return { same: false, comparedBy: 'layer', local: localLayer, remote };
    const blob = await fetchBlob(client, ref.repository, remote, signal);
    const tar = gunzip(blob, {
      maxSize: options.maxUncompressedBytes,
      what: `layer ${remote.digest} of ${name}`,
    });
    return {
      same: sha256Digest(tar) === localDiffId,
      comparedBy: 'tar',
      local: localLayer,
      remote,
    };
  });
}
