// A minimal Flux artifact pusher for the harness's own smoke test (plain HTTP registry, no
// auth): tar+gzip of a directory, Flux's config and layer media types, pushed by the
// registry's monolithic upload. The product's OCI client lives in src/oci; this only
// proves the controllers pull from a real registry.
import { execFile } from 'node:child_process';
import { createHash } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { promisify } from 'node:util';

const run = promisify(execFile);

export interface PushedArtifact {
  digest: string;
}

function sha256(data: Uint8Array): string {
  return `sha256:${createHash('sha256').update(data).digest('hex')}`;
}

async function pushBlob(registryUrl: string, repo: string, data: Uint8Array): Promise<string> {
  const digest = sha256(data);
  const start = await fetch(`${registryUrl}/v2/${repo}/blobs/uploads/`, { method: 'POST' });
  if (start.status !== 202) throw new Error(`upload start: ${start.status} ${await start.text()}`);
  const location = new URL(start.headers.get('location') ?? '', registryUrl);
  location.searchParams.set('digest', digest);
  const put = await fetch(location, {
    method: 'PUT',
    headers: { 'content-type': 'application/octet-stream' },
    body: data,
  });
  if (put.status !== 201) throw new Error(`upload ${digest}: ${put.status} ${await put.text()}`);
  return digest;
}

/** Pushes the files of dir as a Flux artifact to <registryUrl>/<repo>:<tag>. */
export async function pushArtifact(
  registryUrl: string,
  repo: string,
  tag: string,
  dir: string,
  workDir: string,
): Promise<PushedArtifact> {
  const layerFile = join(workDir, `${tag}.tar.gz`);
  await run('tar', ['-czf', layerFile, '-C', dir, '.']);
  const layer = await readFile(layerFile);
  const config = Buffer.from('{}');
  const manifest = Buffer.from(
    JSON.stringify({
      schemaVersion: 2,
      mediaType: 'application/vnd.oci.image.manifest.v1+json',
      config: {
        mediaType: 'application/vnd.cncf.flux.config.v1+json',
        size: config.length,
        digest: await pushBlob(registryUrl, repo, config),
      },
      layers: [
        {
          mediaType: 'application/vnd.cncf.flux.content.v1.tar+gzip',
          size: layer.length,
          digest: await pushBlob(registryUrl, repo, layer),
        },
      ],
      annotations: {
        'org.opencontainers.image.created': new Date().toISOString().replace(/\.\d+Z$/, 'Z'),
        'org.opencontainers.image.revision': 'harness@sha1:0000000',
        'org.opencontainers.image.source': 'harness',
      },
    }),
  );
  const put = await fetch(`${registryUrl}/v2/${repo}/manifests/${tag}`, {
    method: 'PUT',
    headers: { 'content-type': 'application/vnd.oci.image.manifest.v1+json' },
    body: manifest,
  });
  if (put.status !== 201) throw new Error(`manifest: ${put.status} ${await put.text()}`);
  return { digest: sha256(manifest) };
}
