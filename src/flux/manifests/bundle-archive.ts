import { posix } from 'node:path';
import { Readable } from 'node:stream';
import { ungzip } from 'pako';
import tarStream from 'tar-stream';
import { UserError } from '../../errors.js';

/**
 * Reads the YAML files of a `manifests.tar.gz` into memory, keyed by their path inside the
 * archive (normalised, without `./`). Only regular `.yaml`/`.yml` files are kept; names that
 * are absolute or climb out with `..` are refused, since the archive is untrusted input.
 */
export async function readArchiveYamlFiles(
  archive: Uint8Array,
  origin: string,
): Promise<Map<string, string>> {
  let tar: Uint8Array;
  try {
    tar = ungzip(archive);
  } catch {
    throw new UserError(
      `${origin} is not a gzip-compressed tar archive; give a Flux manifests.tar.gz`,
    );
  }
  const files = new Map<string, string>();
  const extract = tarStream.extract();
  const done = new Promise<void>((resolve, reject) => {
    extract.on('entry', (header, stream, next) => {
      const chunks: Buffer[] = [];
      stream.on('data', (chunk: unknown) => chunks.push(chunk as Buffer));
      stream.on('end', () => {
        try {
          keepEntry(files, header.name, header.type ?? 'file', Buffer.concat(chunks), origin);
          next();
        } catch (err) {
          reject(err);
        }
      });
      stream.on('error', reject);
    });
    extract.on('finish', resolve);
    extract.on('error', (err: Error) =>
      reject(new UserError(`${origin} is not a valid tar archive: ${err.message}`)),
    );
  });
  Readable.from([Buffer.from(tar)]).pipe(extract);
  await done;
  return files;
}

function keepEntry(
  files: Map<string, string>,
  name: string,
  type: string,
  content: Buffer,
  origin: string,
): void {
  if (type !== 'file') return;
  const normalized = posix.normalize(name).replace(/^(\.\/)+/, '');
  if (normalized.startsWith('/') || normalized === '..' || normalized.startsWith('../')) {
    throw new UserError(`${origin} holds an unsafe path "${name}"; refusing to read it`);
  }
  if (!/\.ya?ml$/.test(normalized)) return;
  files.set(normalized, content.toString('utf8'));
}
