import { sha256Digest } from './digest.js';

/** An OCI content descriptor: what a manifest says about one blob. */
export interface Descriptor {
  readonly mediaType: string;
  /** Size in bytes. */
  readonly size: number;
  /** `sha256:<hex>` */
  readonly digest: string;
}

/** A blob held in memory with its descriptor; content is kept apart from the transport. */
export interface Blob {
  readonly descriptor: Descriptor;
  readonly bytes: Uint8Array;
}

/** A blob stored in a file (a large layer), streamed when it is sent. */
export interface FileBlob {
  readonly descriptor: Descriptor;
  /** The file holding exactly the blob's bytes. */
  readonly file: string;
}

/** A blob to push: in memory or in a file. */
export type BlobSource = Blob | FileBlob;

/** The blob of `bytes`, its descriptor's size and digest computed from them. */
export function blobOf(mediaType: string, bytes: Uint8Array): Blob {
  return { descriptor: { mediaType, size: bytes.length, digest: sha256Digest(bytes) }, bytes };
}

/**
 * A built artifact ready to push: the manifest (its bytes are what gets digested and
 * uploaded, exactly as built), the config blob and the layer blobs.
 */
export interface Artifact {
  readonly manifest: Blob;
  readonly config: Blob;
  readonly layers: readonly Blob[];
}

/** An artifact to push whose layers may be in files (see {@link FileBlob}). */
export interface PushableArtifact {
  readonly manifest: Blob;
  readonly config: Blob;
  readonly layers: readonly BlobSource[];
}
