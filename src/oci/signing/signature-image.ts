import { blobOf, type Blob, type Descriptor } from '../content/descriptor.js';
import { SIGNATURE_ANNOTATION } from './simple-signing.js';

export const OCI_IMAGE_CONFIG_MEDIA_TYPE = 'application/vnd.oci.image.config.v1+json';
const OCI_MANIFEST_MEDIA_TYPE = 'application/vnd.oci.image.manifest.v1+json';
/** go-containerregistry's zero time, which cosign leaves in the config unless asked for timestamps. */
const ZERO_TIME = '0001-01-01T00:00:00Z';

/** A layer of a signature image: the payload's descriptor and its annotations. */
export interface SignatureLayer extends Descriptor {
  readonly annotations?: Readonly<Record<string, string>>;
}

/** The manifest and config of a signature image (the blobs are uploaded apart). */
export interface SignatureImage {
  readonly manifest: Blob;
  readonly config: Blob;
}

/**
 * The image cosign writes to the `.sig` tag: an OCI manifest whose layers are the signed
 * payloads (uncompressed, so each digest is its diffID), each with its signature in the
 * `dev.cosignproject.cosign/signature` annotation, and the config go-containerregistry
 * writes for layers appended to an empty image.
 */
export function signatureImage(layers: readonly SignatureLayer[]): SignatureImage {
  const config = blobOf(
    OCI_IMAGE_CONFIG_MEDIA_TYPE,
    Buffer.from(
      JSON.stringify({
        architecture: '',
        created: ZERO_TIME,
        history: layers.map(() => ({ created: ZERO_TIME })),
        os: '',
        rootfs: { type: 'layers', diff_ids: layers.map((l) => l.digest) },
        config: {},
      }),
    ),
  );
  const manifest = blobOf(
    OCI_MANIFEST_MEDIA_TYPE,
    Buffer.from(
      JSON.stringify({
        schemaVersion: 2,
        mediaType: OCI_MANIFEST_MEDIA_TYPE,
        config: config.descriptor,
        layers: layers.map((l) => ({
          mediaType: l.mediaType,
          size: l.size,
          digest: l.digest,
          ...(l.annotations ? { annotations: l.annotations } : {}),
        })),
      }),
    ),
  );
  return { manifest, config };
}

/** The layers of a signature image's manifest; malformed entries are dropped, as cosign skips them. */
export function signatureLayers(manifestBytes: Uint8Array): SignatureLayer[] | undefined {
  let manifest: { layers?: unknown };
  try {
    manifest = JSON.parse(Buffer.from(manifestBytes).toString('utf8')) as typeof manifest;
  } catch {
    return undefined;
  }
  if (!Array.isArray(manifest?.layers)) return undefined;
  const layers: SignatureLayer[] = [];
  for (const entry of manifest.layers as Record<string, unknown>[]) {
    if (
      typeof entry?.mediaType !== 'string' ||
      typeof entry.digest !== 'string' ||
      !/^sha256:[a-f0-9]{64}$/.test(entry.digest) ||
      typeof entry.size !== 'number'
    ) {
      continue;
    }
    const annotations =
      entry.annotations && typeof entry.annotations === 'object'
        ? (entry.annotations as Record<string, string>)
        : undefined;
    layers.push({
      mediaType: entry.mediaType,
      digest: entry.digest,
      size: entry.size,
      ...(annotations ? { annotations } : {}),
    });
  }
  return layers;
}

/** The base64 signature a layer carries, if any. */
export function layerSignature(layer: SignatureLayer): string | undefined {
  const value = layer.annotations?.[SIGNATURE_ANNOTATION];
  return typeof value === 'string' && value !== '' ? value : undefined;
}
