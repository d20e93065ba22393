// Builds a manifests.tar.gz in memory, the way Flux releases ship it, for download tests.
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { gzip } from 'pako';
import tarStream from 'tar-stream';

export const FIXTURE_BUNDLE = join(import.meta.dirname, '..', 'fixtures', 'flux-bundle');

/** A tar.gz of the given entries (name → content). */
export async function tarGz(entries: Record<string, string>): Promise<Buffer> {
  const pack = tarStream.pack();
  const chunks: Buffer[] = [];
  pack.on('data', (c: unknown) => chunks.push(c as Buffer));
  const done = new Promise<void>((resolve) => pack.on('end', () => resolve()));
  for (const [name, content] of Object.entries(entries)) pack.entry({ name }, content);
  pack.finalize();
  await done;
  return Buffer.from(gzip(Buffer.concat(chunks)));
}

/** The fixture bundle as a release archive, its files under `prefix`. */
export async function fixtureArchive(prefix = ''): Promise<Buffer> {
  const entries: Record<string, string> = {};
  for (const name of readdirSync(FIXTURE_BUNDLE)) {
    entries[prefix + name] = readFileSync(join(FIXTURE_BUNDLE, name), 'utf8');
  }
  return tarGz(entries);
}
