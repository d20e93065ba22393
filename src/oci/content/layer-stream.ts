import { createHash } from 'node:crypto';
import { closeSync, openSync, rmSync, writeSync } from 'node:fs';
import { UserError } from '../../errors.js';
import { artifactAnnotations } from './annotations.js';
import type { ArtifactOptions, LayerOptions } from './build.js';
import { tarPieces } from './archive/tar-pieces.js';
import { fluxConfigBlob } from './config.js';
import type { Descriptor, FileBlob, PushableArtifact } from './descriptor.js';
import { gzipChunks, type Compressor } from './gzip/gzip.js';
import { manifestBlob } from './manifest.js';
import { FLUX_CONTENT_MEDIA_TYPE } from './media-types.js';

/** A layer's descriptor and diffID, as {@link describeLayerStream} computes them. */
export interface LayerDigests {
  readonly descriptor: Descriptor;
  /** `sha256:` of the uncompressed tar. */
  readonly diffId: string;
  /** Bytes of the uncompressed tar. */
  readonly tarSize: number;
}

/** A layer written to a file by {@link writeLayerStream}. */
export interface LayerFile extends LayerDigests {
  /** Where the gzip blob is. */
  readonly path: string;
}

/**
 * Builds the layer of `options` into the file `path` in one pass, tar → gzip → sha256 →
 * disk, so memory stays at a few pieces whatever the tree's size (as Flux builds its tgz
 * in a temporary file before pushing). The file is created new (mode 0600); on failure it
 * is removed.
 */
export async function writeLayerStream(
  options: LayerOptions,
  path: string,
  compressor: Compressor,
): Promise<LayerFile> {
  let fd: number;
  try {
    fd = openSync(path, 'wx', 0o600);
  } catch (err) {
    throw new UserError(`cannot create the layer file ${path}: ${(err as Error).message}`);
  }
  let digests: LayerDigests;
  try {
    digests = await streamLayer(options, compressor, (chunk) => {
      for (let written = 0; written < chunk.length;) {
        written += writeSync(fd, chunk, written);
      }
    });
  } catch (err) {
    closeSync(fd);
    rmSync(path, { force: true });
    throw err;
  }
  closeSync(fd);
  return { ...digests, path };
}

/**
 * The digest and size of the layer `compressor` makes of `options`, and its diffID, in one
 * pass with nothing kept (for `diff artifact`: the layer `push artifact` would upload,
 * without building it). Memory stays at a few pieces whatever the tree's size.
 */
export function describeLayerStream(
  options: LayerOptions,
  compressor: Compressor,
): Promise<LayerDigests> {
  return streamLayer(options, compressor, () => {});
}

/** tar → sha256 (diffID) → gzip → sha256 and size, each gzip piece handed to `each`. */
async function streamLayer(
  options: LayerOptions,
  compressor: Compressor,
  each: (chunk: Uint8Array) => void,
): Promise<LayerDigests> {
  const tarHash = createHash('sha256');
  let tarSize = 0;
  function* hashedTar(): Generator<Uint8Array> {
    for (const piece of tarPieces(options)) {
      tarHash.update(piece);
      tarSize += piece.length;
      yield piece;
    }
  }
  const blobHash = createHash('sha256');
  let size = 0;
  for await (const chunk of gzipChunks(hashedTar(), compressor)) {
    blobHash.update(chunk);
    size += chunk.length;
    each(chunk);
  }
  return {
    descriptor: {
      mediaType: FLUX_CONTENT_MEDIA_TYPE,
      size,
      digest: `sha256:${blobHash.digest('hex')}`,
    },
    diffId: `sha256:${tarHash.digest('hex')}`,
    tarSize,
  };
}

/** A pushable artifact whose layer was streamed into a file. */
export interface StreamedArtifact extends PushableArtifact {
  readonly diffId: string;
  readonly layers: readonly [FileBlob];
}

/**
 * {@link buildArtifact} for large trees: the layer streamed into `layerPath` (see
 * {@link writeLayerStream}) with `compressor`, the same config and annotations.
 */
export async function buildStreamedArtifact(
  options: ArtifactOptions,
  layerPath: string,
  compressor: Compressor,
): Promise<StreamedArtifact> {
  const annotations = artifactAnnotations(options);
  const layer = await writeLayerStream(options, layerPath, compressor);
  const config = fluxConfigBlob();
  const manifest = manifestBlob(config.descriptor, [layer.descriptor], annotations);
  return {
    manifest,
    config,
    layers: [{ descriptor: layer.descriptor, file: layer.path }],
    diffId: layer.diffId,
  };
}

/**
 * The compressor of the artifact commands: `portable` when the user asked for a
 * reproducible digest (`--reproducible`: another machine must compute the same), else
 * `native`, about 2.5x faster (the created time already makes each digest unique).
 */
export function userCompressor(reproducible: boolean): Compressor {
  return reproducible ? 'portable' : 'native';
}
