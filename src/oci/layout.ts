import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { UserError } from '../errors.js';
import type { Artifact, Blob, Descriptor } from './content/descriptor.js';
import { sha256Digest } from './content/digest.js';
import { OCI_MANIFEST_MEDIA_TYPE } from './content/media-types.js';

/**
 * An artifact stored as an OCI image layout directory (`oci-layout`, `index.json`,
 * `blobs/sha256/<hex>`): how the construct hands the artifact it built at synth time to the
 * pre-apply step that pushes it, byte for byte. skopeo and oras read the same layout.
 */
export function writeOciLayout(dir: string, artifact: Artifact): void {
  mkdirSync(join(dir, 'blobs', 'sha256'), { recursive: true });
  for (const blob of [artifact.config, ...artifact.layers, artifact.manifest]) {
    writeFileSync(blobPath(dir, blob.descriptor.digest), blob.bytes);
  }
  writeFileSync(join(dir, 'oci-layout'), '{"imageLayoutVersion":"1.0.0"}');
  const index = {
    schemaVersion: 2,
    manifests: [
      {
        mediaType: artifact.manifest.descriptor.mediaType,
        digest: artifact.manifest.descriptor.digest,
        size: artifact.manifest.descriptor.size,
      },
    ],
  };
  writeFileSync(join(dir, 'index.json'), JSON.stringify(index));
}

/** Reads back the single artifact of a layout written by `writeOciLayout`, verifying every digest. */
export function readOciLayout(dir: string): Artifact {
  let index: { manifests?: Descriptor[] };
  try {
    index = JSON.parse(readFileSync(join(dir, 'index.json'), 'utf8')) as typeof index;
  } catch (err) {
    throw new UserError(
      `'${dir}' is not an OCI image layout (${(err as Error).message}): build it with 'flux-oci build components --output <dir>'`,
    );
  }
  const [manifestDescriptor] = index.manifests ?? [];
  if (!manifestDescriptor || manifestDescriptor.mediaType !== OCI_MANIFEST_MEDIA_TYPE) {
    throw new UserError(`OCI image layout '${dir}' holds no OCI image manifest`);
  }
  const manifest = readBlob(dir, manifestDescriptor);
  const parsed = JSON.parse(Buffer.from(manifest.bytes).toString('utf8')) as {
    config: Descriptor;
    layers: Descriptor[];
  };
  return {
    manifest,
    config: readBlob(dir, parsed.config),
    layers: parsed.layers.map((layer) => readBlob(dir, layer)),
  };
}

function readBlob(dir: string, descriptor: Descriptor): Blob {
  const bytes = readFileSync(blobPath(dir, descriptor.digest));
  const digest = sha256Digest(bytes);
  if (digest !== descriptor.digest || bytes.length !== descriptor.size) {
    throw new UserError(
      `blob ${descriptor.digest} in OCI image layout '${dir}' is corrupt ` +
        `(${bytes.length} bytes with digest ${digest}); rebuild the layout`,
    );
  }
  return { descriptor: { ...descriptor }, bytes: new Uint8Array(bytes) };
}

function blobPath(dir: string, digest: string): string {
  const match = /^sha256:([0-9a-f]{64})$/.exec(digest);
  if (!match) throw new UserError(`'${digest}' is not a sha256 digest`);
  return join(dir, 'blobs', 'sha256', match[1]);
}
