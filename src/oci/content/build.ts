import type { AnnotationOptions } from './annotations.js';
import { artifactAnnotations } from './annotations.js';
import { fluxConfigBlob } from './config.js';
import { blobOf, type Artifact, type Blob } from './descriptor.js';
import { sha256Digest } from './digest.js';
import { gzip } from './gzip/portable-gzip.js';
import { manifestBlob } from './manifest.js';
import { FLUX_CONTENT_MEDIA_TYPE } from './media-types.js';
import type { StageOptions } from './archive/stage.js';
import type { MemoryTree } from './archive/memory-tree.js';
import { tarPieces } from './archive/tar-pieces.js';

/**
 * Options for {@link buildTar} and {@link buildLayer}: a `path` (directory, file or `-`), or
 * `files` held in memory (no temporary directory).
 */
export type LayerOptions = (StageOptions | MemoryTree) & {
  /**
   * Patterns in .gitignore format (`--ignore-paths`); giving them replaces the defaults.
   * @default DEFAULT_IGNORE_PATHS
   */
  readonly ignorePaths?: readonly string[];
};

/** A layer blob with the digest of its uncompressed tar. */
export interface BuiltLayer {
  readonly layer: Blob;
  /** `sha256:` of the tar; equal to Flux 2.9's for the same tree. */
  readonly diffId: string;
}

/** Options for {@link buildArtifact}: what to archive and how to annotate it. */
export type ArtifactOptions = LayerOptions & AnnotationOptions;

/** An artifact ready to push, with its layer's diffID. */
export interface BuiltArtifact extends Artifact {
  readonly diffId: string;
}

export { tarDiffId, tarPieces } from './archive/tar-pieces.js';

/** The uncompressed tar Flux 2.9 would build for `path` (the layer's diffID content). */
export function buildTar(options: LayerOptions): Uint8Array {
  return Buffer.concat([...tarPieces(options)]);
}

/** The gzip layer blob (`application/vnd.cncf.flux.content.v1.tar+gzip`) for `path`. */
export function buildLayer(options: LayerOptions): BuiltLayer {
  const tar = buildTar(options);
  return { layer: blobOf(FLUX_CONTENT_MEDIA_TYPE, gzip(tar)), diffId: sha256Digest(tar) };
}

/**
 * Builds a Flux artifact as `flux push artifact` would, without pushing: the layer, the
 * Flux 2.9 config and the manifest with its annotations. Synchronous, so it also runs
 * at CDKTF synth time.
 */
export function buildArtifact(options: ArtifactOptions): BuiltArtifact {
  const annotations = artifactAnnotations(options);
  const { layer, diffId } = buildLayer(options);
  const config = fluxConfigBlob();
  const manifest = manifestBlob(config.descriptor, [layer.descriptor], annotations);
  return { manifest, config, layers: [layer], diffId };
}
