import { chmodSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { basename, dirname, join, resolve } from 'node:path';
import { UserError } from '../../errors.js';
import type { LayerOptions } from './build.js';
import type { Compressor } from './gzip/gzip.js';
import { writeLayerStream, type LayerFile } from './layer-stream.js';

/**
 * Writes a layer to `output` as `flux build artifact` does, mode 0640, through a temporary
 * file in the same directory renamed into place, so readers never see half a file.
 */
export function writeLayerFile(output: string, bytes: Uint8Array): void {
  const target = resolve(output);
  const temporary = join(dirname(target), `.${basename(target)}.${process.pid}.tmp`);
  try {
    writeFileSync(temporary, bytes, { mode: 0o600 });
    chmodSync(temporary, 0o640);
    renameSync(temporary, target);
  } catch (err) {
    rmSync(temporary, { force: true });
    throw new UserError(`cannot write artifact to ${output}: ${(err as Error).message}`);
  }
}

/**
 * Builds the layer of `options` straight into `output` as `flux build artifact` does (mode
 * 0640), streamed (see writeLayerStream) into a temporary file in the same directory that
 * is renamed into place, so readers never see half a file.
 */
export async function buildLayerFile(
  options: LayerOptions,
  output: string,
  compressor: Compressor,
): Promise<LayerFile> {
  const target = resolve(output);
  const temporary = join(dirname(target), `.${basename(target)}.${process.pid}.tmp`);
  rmSync(temporary, { force: true });
  const layer = await writeLayerStream(options, temporary, compressor);
  try {
    chmodSync(temporary, 0o640);
    renameSync(temporary, target);
  } catch (err) {
    rmSync(temporary, { force: true });
    throw new UserError(`cannot write artifact to ${output}: ${(err as Error).message}`);
  }
  return { ...layer, path: target };
}
