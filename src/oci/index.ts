export type { Artifact, Blob, Descriptor } from './content/descriptor.js';
export type { AnnotationOptions } from './content/annotations.js';
export {
  CREATED_ANNOTATION,
  REPRODUCIBLE_CREATED,
  REVISION_ANNOTATION,
  SOURCE_ANNOTATION,
  artifactAnnotations,
  formatRfc3339,
  isRfc3339,
} from './content/annotations.js';
export type { ArtifactOptions, BuiltArtifact, BuiltLayer, LayerOptions } from './content/build.js';
export { buildArtifact, buildLayer, buildTar } from './content/build.js';
export { FLUX_CONFIG_JSON, fluxConfigBlob } from './content/config.js';
export { sha256Digest } from './content/digest.js';
export type { ExtractOptions, ExtractResult } from './content/archive/extract.js';
export { extractLayer, readLayer, safeParts } from './content/archive/extract.js';
export { extractLayerFile, LayerExtraction } from './content/archive/layer-extraction.js';
export type { LayerDigests, LayerFile, StreamedArtifact } from './content/layer-stream.js';
export {
  buildStreamedArtifact,
  describeLayerStream,
  writeLayerStream,
} from './content/layer-stream.js';
export type { Compressor } from './content/gzip/gzip.js';
export type { GunzipOptions } from './content/gzip/gzip.js';
export { DEFAULT_MAX_UNCOMPRESSED_SIZE, gunzip } from './content/gzip/gzip.js';
export { GunzipDigest, type GunzipDigestOptions } from './content/gzip/gunzip-digest.js';
export { gzip } from './content/gzip/portable-gzip.js';
export { DEFAULT_IGNORE_PATHS, IgnoreMatcher } from './content/archive/ignore.js';
export { writeLayerFile } from './content/layer-file.js';
export { manifestBlob } from './content/manifest.js';
export {
  FLUX_CONFIG_MEDIA_TYPE,
  FLUX_CONTENT_MEDIA_TYPE,
  OCI_MANIFEST_MEDIA_TYPE,
} from './content/media-types.js';
export type { StageOptions, StagedTree } from './content/archive/stage.js';
export type { ArtifactFile, MemoryTree } from './content/archive/memory-tree.js';
export type { TarEntryDifference } from './content/archive/tar-diff.js';
export { diffTarEntries } from './content/archive/tar-diff.js';
export type { TarEntryKind, TarReadEntry } from './content/archive/tar-reader.js';
export { readTar } from './content/archive/tar-reader.js';
export type { TarEntry } from './content/archive/tar-writer.js';
export { writeTar } from './content/archive/tar-writer.js';
export type { OciReference, ParseReferenceOptions } from './reference.js';
export {
  DEFAULT_TAG,
  DOCKER_HUB_REGISTRY,
  parseOciReference,
  referenceIdentifier,
  referenceName,
  repositoryName,
  withDigest,
} from './reference.js';

// The registry client: transport, auth and the artifact operations.
export * from './registry/index.js';
export { OCI_PROVIDERS, type OciProvider } from './provider.js';

// cosign key-based signatures: sign on push, verify for CI gates.
export * from './signing/index.js';
