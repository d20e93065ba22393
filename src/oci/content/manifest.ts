import { blobOf, type Blob, type Descriptor } from './descriptor.js';
import { goJsonString, goJsonStringMap } from './go-json.js';
import { OCI_MANIFEST_MEDIA_TYPE } from './media-types.js';

/**
 * The image manifest blob, byte for byte as go-containerregistry marshals it: compact JSON,
 * fields in Go struct order (schemaVersion, mediaType, config, layers, annotations),
 * annotation keys sorted, Go string escaping, no trailing newline. The digest of these
 * bytes is the artifact's identity.
 */
export function manifestBlob(
  config: Descriptor,
  layers: readonly Descriptor[],
  annotations: Readonly<Record<string, string>>,
): Blob {
  let json = `{"schemaVersion":2,"mediaType":${goJsonString(OCI_MANIFEST_MEDIA_TYPE)}`;
  json += `,"config":${descriptorJson(config)}`;
  json += `,"layers":[${layers.map(descriptorJson).join(',')}]`;
  // `annotations` is omitempty in Go.
  if (Object.keys(annotations).length > 0) json += `,"annotations":${goJsonStringMap(annotations)}`;
  json += '}';
  return blobOf(OCI_MANIFEST_MEDIA_TYPE, Buffer.from(json, 'utf8'));
}

function descriptorJson(descriptor: Descriptor): string {
  return `{"mediaType":${goJsonString(descriptor.mediaType)},"size":${descriptor.size},"digest":${goJsonString(descriptor.digest)}}`;
}
