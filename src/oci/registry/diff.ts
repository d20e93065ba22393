import { UserError } from '../../errors.js';
import type { LayerOptions } from '../content/build.js';
import type { Artifact, Descriptor } from '../content/descriptor.js';
import { GunzipDigest } from '../content/gzip/gunzip-digest.js';
import type { LayerDigests } from '../content/layer-stream.js';
import { FLUX_CONTENT_MEDIA_TYPE } from '../content/media-types.js';
import { referenceIdentifier, referenceName, type OciReference } from '../reference.js';
import { fetchBlobInto } from './api/blobs.js';
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
  /**
   * Largest remote tar accepted for that comparison.
   * @default no limit: the tar is hashed as it downloads and decompresses, nothing is kept
   * or written, so memory stays at a few pieces whatever its size (as `pull artifact`,
   * which bounds only what it writes to disk)
   */
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
 * encoders produce different bytes for the same tree. The remote tar is streamed
 * (download → gunzip → sha256): memory stays at a few pieces whatever its size.
 */
export async function diffArtifact(
  reference: OciReference | string,
  local: Artifact | Descriptor,
  options: DiffOptions = {},
): Promise<ArtifactDiff> {
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
  const diffId =
    options.localDiffId ??
    ('diffId' in local && typeof local.diffId === 'string' ? local.diffId : undefined);
  return compareWithRemote(reference, options, () =>
    Promise.resolve({ descriptor: localLayer, diffId }),
  );
}

/**
 * Compares a local tree (directory or file, with the ignore rules of `tree`) with the remote
 * artifact, as `flux-oci diff artifact` does: the layer `push artifact` would make of it
 * (digest and size, computed in one streamed pass with nothing kept) against the remote
 * layer, one manifest request when they are equal; else the local tar's digest against the
 * remote layer's tar, streamed. Memory stays at a few pieces whatever the tree's size.
 * The registry is asked first, so a wrong reference fails before the tree is read.
 */
export function diffArtifactTree(
  reference: OciReference | string,
  tree: LayerOptions,
  options: DiffOptions = {},
): Promise<ArtifactDiff> {
  return compareWithRemote(reference, options, async () => {
    // Loaded on this path only: `list artifacts` loads this module too.
    const { describeLayerStream, userCompressor } = await import('../content/layer-stream.js');
    // What a push without --reproducible uploads (same machine, same Node: same bytes).
    return describeLayerStream(tree, userCompressor(false));
  });
}

/** The local side: its layer, and its tar's digest when known. */
type LocalLayer = Omit<LayerDigests, 'diffId' | 'tarSize'> & {
  readonly diffId: string | undefined;
  /** The tar's size, when known: a larger remote tar is not decompressed to its end. */
  readonly tarSize?: number;
};

async function compareWithRemote(
  reference: OciReference | string,
  options: DiffOptions,
  localLayer: () => Promise<LocalLayer>,
): Promise<ArtifactDiff> {
  const ref = toReference(reference);
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
    const { descriptor: local, diffId, tarSize } = await localLayer();
    if (remote.digest === local.digest && remote.size === local.size) {
      return { same: true, comparedBy: 'layer', local, remote };
    }
    if (!diffId) return { same: false, comparedBy: 'layer', local, remote };
    const remoteTar = new GunzipDigest({
      maxSize: options.maxUncompressedBytes,
      what: `layer ${remote.digest} of ${name}`,
      // A remote tar larger than ours differs: no need to decompress the rest (a small
      // blob can expand ~1000 times).
      stopAfter: tarSize,
    });
    // Its own time limit: reading a large local tree took none of the registry's.
    await fetchBlobInto(client, ref.repository, remote, remoteTar, client.operationSignal());
    return { same: (await remoteTar.digest()) === diffId, comparedBy: 'tar', local, remote };
  });
}
