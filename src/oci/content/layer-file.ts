import { chmodSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { basename, dirname, join, resolve } from 'node:path';
import { UserError } from '../../errors.js';

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
