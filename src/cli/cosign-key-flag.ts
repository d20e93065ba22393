import type { Command } from 'commander';
import type { CosignSigner } from '../oci/signing/cosign-key.js';
import { COSIGN_PASSWORD_ENV } from '../oci/signing/cosign-password.js';

/** Adds `--cosign-key <file>`: sign the pushed digest with that cosign key. */
export function addCosignKeyFlag(command: Command): Command {
  return command.option(
    '--cosign-key <file>',
    `sign the pushed digest with this cosign key (cosign generate-key-pair's cosign.key, password from $${COSIGN_PASSWORD_ENV}; or a PKCS#8 EC P-256 PEM), stored as cosign stores it, without a transparency log entry`,
  );
}

/** The signer `--cosign-key` names, opened with $COSIGN_PASSWORD; undefined without the flag. */
export async function cosignSignerFromFlag(
  file: string | undefined,
  env: NodeJS.ProcessEnv = process.env,
): Promise<CosignSigner | undefined> {
  if (file === undefined) return undefined;
  // Loaded only when a key is given (see main.ts).
  const { openCosignKey } = await import('../oci/signing/cosign-key.js');
  return openCosignKey(file, env);
}
