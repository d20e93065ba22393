import { UserError } from '../../errors.js';
import { escapeControl } from '../../terminal-text.js';
import type { Blob, Descriptor, FileBlob } from '../content/descriptor.js';
import { fetchBlob, fetchBlobInto, fetchBlobToFile } from './api/blobs.js';
import { getManifest, DOCKER_MANIFEST, OCI_MANIFEST } from './api/manifests.js';
import type { RegistryClient } from './client.js';
import { toReference, withClient, type OperationOptions } from './operation.js';
import {
  referenceIdentifier,
  referenceName,
  repositoryName,
  type OciReference,
} from '../reference.js';

import { FLUX_CONTENT_MEDIA_TYPE } from '../content/media-types.js';
import type { ExtractOptions, ExtractResult } from '../content/archive/extract.js';
import { LayerExtraction } from '../content/archive/layer-extraction.js';

export interface PullOptions extends OperationOptions {
  /**
   * The layer to take: the first one of this media type, else layer 0 (source-controller's rule).
   * @default 'application/vnd.cncf.flux.content.v1.tar+gzip'
   */
  readonly layerMediaType?: string;
  /**
   * Refuse layers the manifest says are larger than this (the layer is held in memory;
   * {@link pullArtifactToFile} has no limit).
   * @default 1 GiB
   */
  readonly maxLayerBytes?: number;
}

/** The parts of an OCI image manifest an artifact pull reads. */
export interface ImageManifest {
  readonly schemaVersion: number;
  readonly mediaType?: string;
  readonly config: Descriptor;
  readonly layers: readonly Descriptor[];
  readonly annotations?: Readonly<Record<string, string>>;
}

export interface PulledArtifact {
  readonly reference: OciReference;
  /** `sha256:` of the manifest. */
  readonly digest: string;
  /** `registry/repository@sha256:...` */
  readonly digestReference: string;
  readonly manifest: ImageManifest;
  /** The manifest's bytes, digest verified. */
  readonly manifestBytes: Uint8Array;
  /** The selected layer, digest and size verified; still compressed. */
  readonly layer: Blob;
}

/** {@link PulledArtifact} with the layer in a file. */
export interface PulledArtifactFile extends Omit<PulledArtifact, 'layer'> {
  /** The selected layer, digest and size verified; still compressed. */
  readonly layer: FileBlob;
}

/**
 * Pulls an artifact's manifest and its content layer into the file `layerFile`, streamed
 * and verified (digest and size) as it arrives, so memory stays bounded whatever the
 * layer's size. A layer that fails verification leaves no file.
 */
export async function pullArtifactToFile(
  reference: OciReference | string,
  layerFile: string,
  options: Omit<PullOptions, 'maxLayerBytes'> = {},
): Promise<PulledArtifactFile> {
  const pulled = await pullArtifactInto(
    reference,
    (client, repository, layer, signal) =>
      fetchBlobToFile(client, repository, layer, layerFile, signal),
    options,
  );
  return { ...pulled, layer: { descriptor: pulled.layer, file: layerFile } };
}

/** Options for {@link pullArtifactToDirectory}. */
export interface PullToDirectoryOptions
  extends Omit<PullOptions, 'maxLayerBytes'>, ExtractOptions {}

/** {@link PulledArtifact} with the layer extracted. */
export interface PulledArtifactDirectory extends Omit<PulledArtifact, 'layer'> {
  /** The selected layer (digest and size verified). */
  readonly layer: Descriptor;
  readonly extracted: ExtractResult;
}

/**
 * Pulls an artifact and extracts its content layer into `directory` (created when missing),
 * decompressing once as the layer downloads, into a staging directory from which renames
 * reach it (beside `directory`, in its parent, else inside it; see `LayerExtraction`); the
 * entries move into `directory` only once the layer's digest and size verified
 * and every entry was checked (see `LayerExtraction`). Memory stays bounded whatever the
 * layer's size.
 */
export async function pullArtifactToDirectory(
  reference: OciReference | string,
  directory: string,
  options: PullToDirectoryOptions = {},
): Promise<PulledArtifactDirectory> {
  const extraction = new LayerExtraction(directory, { maxSize: options.maxSize });
  try {
    const pulled = await pullArtifactInto(
      reference,
      (client, repository, layer, signal) =>
        fetchBlobInto(client, repository, layer, extraction, signal),
      options,
    );
    const extracted = await extraction.finish();
    extraction.commit();
    return { ...pulled, extracted };
  } finally {
    extraction.discard();
  }
}

/** Pulls the manifest, then hands the selected layer's download to `fetchLayer`. */
async function pullArtifactInto(
  reference: OciReference | string,
  fetchLayer: (
    client: RegistryClient,
    repository: string,
    layer: Descriptor,
    signal: AbortSignal,
  ) => Promise<void>,
  options: PullOptions,
): Promise<Omit<PulledArtifact, 'layer'> & { readonly layer: Descriptor }> {
  const ref = toReference(reference);
  return withClient(ref.registry, options, async (client) => {
    const signal = client.operationSignal();
    const { remote, manifest, layerDescriptor } = await getArtifactManifest(
      client,
      ref,
      options,
      signal,
    );
    await fetchLayer(client, ref.repository, layerDescriptor, signal);
    return {
      reference: ref,
      digest: remote.digest,
      digestReference: `${repositoryName(ref)}@${remote.digest}`,
      manifest,
      manifestBytes: remote.bytes,
      layer: layerDescriptor,
    };
  });
}

async function getArtifactManifest(
  client: RegistryClient,
  ref: OciReference,
  options: PullOptions,
  signal: AbortSignal,
) {
  const remote = await getManifest(client, ref.repository, referenceIdentifier(ref), signal);
  const manifest = parseImageManifest(remote.bytes, remote.mediaType, referenceName(ref));
  const layerDescriptor = selectLayer(manifest, options.layerMediaType ?? FLUX_CONTENT_MEDIA_TYPE);
  if (!layerDescriptor) throw new UserError(`artifact ${referenceName(ref)} has no layers`);
  return { remote, manifest, layerDescriptor };
}

/**
 * Pulls an artifact's manifest and its content layer, verifying digest and size of both.
 * Extraction is left to the caller (the content module's safe extraction).
 */
export async function pullArtifact(
  reference: OciReference | string,
  options: PullOptions = {},
): Promise<PulledArtifact> {
  const ref = toReference(reference);
  return withClient(ref.registry, options, async (client) => {
    const signal = client.operationSignal();
    const { remote, manifest, layerDescriptor } = await getArtifactManifest(
      client,
      ref,
      options,
      signal,
    );
    const maxLayerBytes = options.maxLayerBytes ?? 1024 ** 3;
    if (layerDescriptor.size > maxLayerBytes) {
      throw new UserError(
        `layer ${layerDescriptor.digest} of ${referenceName(ref)} is ${layerDescriptor.size} bytes, over the limit of ${maxLayerBytes}`,
      );
    }
    const bytes = await fetchBlob(client, ref.repository, layerDescriptor, signal);
    return {
      reference: ref,
      digest: remote.digest,
      digestReference: `${repositoryName(ref)}@${remote.digest}`,
      manifest,
      manifestBytes: remote.bytes,
      layer: { descriptor: layerDescriptor, bytes },
    };
  });
}

/** The first layer of `mediaType`, else layer 0, as source-controller picks it. */
export function selectLayer(manifest: ImageManifest, mediaType: string): Descriptor | undefined {
  return manifest.layers.find((layer) => layer.mediaType === mediaType) ?? manifest.layers[0];
}

/** Parses and checks the shape of an image manifest (indexes and others are refused). */
export function parseImageManifest(
  bytes: Uint8Array,
  mediaType: string,
  name: string,
): ImageManifest {
  if (mediaType !== OCI_MANIFEST && mediaType !== DOCKER_MANIFEST) {
    throw new UserError(
      `${name} is a '${escapeControl(mediaType.slice(0, 200)) || 'unknown'}', not an OCI image manifest: it is not a Flux artifact`,
    );
  }
  const manifest = JSON.parse(Buffer.from(bytes).toString('utf8')) as ImageManifest;
  const validDescriptor = (d: Descriptor | undefined): boolean =>
    !!d &&
    typeof d.mediaType === 'string' &&
    Number.isSafeInteger(d.size) &&
    d.size >= 0 &&
    typeof d.digest === 'string' &&
    /^sha256:[a-f0-9]{64}$/.test(d.digest);
  if (
    manifest.schemaVersion !== 2 ||
    !validDescriptor(manifest.config) ||
    !Array.isArray(manifest.layers) ||
    !manifest.layers.every(validDescriptor)
  ) {
    throw new UserError(
      `manifest of ${name} is malformed (schemaVersion 2 with config and layer descriptors expected)`,
    );
  }
  return manifest;
}
