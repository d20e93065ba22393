import { gzipSync } from 'node:zlib';
import tar from 'tar-stream';
import type { Artifact, Blob } from '../../src/oci/index.js';
import { sha256Digest } from '../../src/oci/index.js';

/** One tar entry as an attacker may write it: any name, any type. */
export interface RawTarEntry {
  readonly name: string;
  readonly type?: 'file' | 'directory' | 'symlink' | 'link' | 'character-device';
  readonly content?: string | Buffer;
  readonly linkname?: string;
  readonly mode?: number;
}

/** A gzip'd tar with exactly these entries, names unchecked (for hostile-layer tests). */
export async function rawTarGz(entries: readonly RawTarEntry[]): Promise<Buffer> {
  const pack = tar.pack();
  const chunks: Buffer[] = [];
  pack.on('data', (chunk: unknown) => chunks.push(chunk as Buffer));
  const done = new Promise<void>((resolve, reject) => {
    pack.on('end', () => resolve());
    pack.on('error', reject);
  });
  for (const entry of entries) {
    const content = entry.content === undefined ? undefined : Buffer.from(entry.content);
    pack.entry(
      {
        name: entry.name,
        type: entry.type ?? 'file',
        linkname: entry.linkname,
        mode: entry.mode ?? 0o644,
        size: content?.length ?? 0,
      },
      content ?? Buffer.alloc(0),
    );
  }
  pack.finalize();
  await done;
  return gzipSync(Buffer.concat(chunks));
}

/** A blob of `bytes` with its descriptor. */
export function blobOf(mediaType: string, bytes: Uint8Array): Blob {
  return { descriptor: { mediaType, size: bytes.length, digest: sha256Digest(bytes) }, bytes };
}

/**
 * An artifact whose manifest is assembled by hand from `layers`, with `manifestOverride`
 * merged into the manifest JSON (to make it lie about sizes, media types, ...).
 */
export function rawArtifact(
  layers: readonly Blob[],
  manifestOverride: Record<string, unknown> = {},
): Artifact {
  const config = blobOf('application/vnd.cncf.flux.config.v1+json', Buffer.from('{}'));
  const manifest = {
    schemaVersion: 2,
    mediaType: 'application/vnd.oci.image.manifest.v1+json',
    config: config.descriptor,
    layers: layers.map((l) => l.descriptor),
    annotations: {
      'org.opencontainers.image.source': 'hostile',
      'org.opencontainers.image.revision': 'x',
    },
    ...manifestOverride,
  };
  const mediaType =
    (manifest.mediaType as string | undefined) ?? 'application/vnd.oci.image.manifest.v1+json';
  return { manifest: blobOf(mediaType, Buffer.from(JSON.stringify(manifest))), config, layers };
}
