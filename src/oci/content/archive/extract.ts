import { mkdirSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { UserError } from '../../../errors.js';
import { gunzip } from '../gzip/gzip.js';
import { ensureDirectory, fittingParts, shownName, writeFileNoFollow } from './safe-writes.js';
import { readTar, type TarReadEntry } from './tar-reader.js';

export { safeParts } from './safe-writes.js';

/** Options for {@link extractLayer}, {@link readLayer} and `extractLayerFile`. */
export interface ExtractOptions {
  /**
   * The most bytes the layer may decompress to (the whole tar stream); larger layers are
   * refused before anything is written.
   * @default DEFAULT_MAX_UNCOMPRESSED_SIZE (100 MiB)
   */
  readonly maxSize?: number;
}

/** What an extraction wrote and what it left out. */
export interface ExtractResult {
  readonly files: number;
  readonly directories: number;
  /** Links, devices and other special entries, which are never created. */
  readonly skipped: readonly { readonly name: string; readonly kind: string }[];
}

/** Decompresses a gzip layer and reads its tar entries in memory (for `diff artifact`). */
export function readLayer(layer: Uint8Array, options: ExtractOptions = {}): TarReadEntry[] {
  return readTar(gunzip(layer, { maxSize: options.maxSize }));
}

/**
 * Extracts a pulled layer (gzip tar) into `target`, treating it as hostile: every name is
 * checked before anything is written (no absolute names, no `..`, no backslashes), links
 * and devices are skipped, existing symlinks inside the target are never followed, and the
 * decompressed size is capped. Files get their permission bits (no setuid/setgid/sticky),
 * directories their bits plus 0700. The caller verifies the layer digest first.
 */
export function extractLayer(
  layer: Uint8Array,
  target: string,
  options: ExtractOptions = {},
): ExtractResult {
  const root = resolve(target);
  const entries = readLayer(layer, options);
  const planned = entries.map((entry) => ({ entry, parts: fittingParts(entry.name, root) }));
  mkdirSync(root, { recursive: true });

  let files = 0;
  let directories = 0;
  const skipped: { name: string; kind: string }[] = [];
  for (const { entry, parts } of planned) {
    if (entry.kind === 'directory') {
      if (parts.length > 0) {
        ensureDirectory(root, parts, (entry.mode & 0o777) | 0o700);
        directories++;
      }
    } else if (entry.kind === 'file') {
      if (parts.length === 0)
        throw new UserError(`layer entry "${shownName(entry.name)}" is not a file name`);
      ensureDirectory(root, parts.slice(0, -1), 0o750);
      writeFileNoFollow(join(root, ...parts), entry.content, entry.mode & 0o777);
      files++;
    } else {
      skipped.push({ name: entry.name, kind: entry.kind });
    }
  }
  return { files, directories, skipped };
}
