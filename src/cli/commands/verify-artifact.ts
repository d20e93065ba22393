import type { Command } from 'commander';
import { UserError } from '../../errors.js';
import { group } from '../group.js';
import { log, parseOutputFormat, printStructured } from '../output.js';
import {
  addRegistryFlags,
  registryClientOptions,
  type RegistryFlags,
} from '../registry-options.js';
import { examples } from '../examples.js';

interface VerifyArtifactFlags extends RegistryFlags {
  readonly key?: string;
  readonly output?: string;
}

/**
 * Registers `flux-oci verify artifact URL --key cosign.pub`, a CI gate: exits 0 only when
 * the artifact carries a cosign signature made with the key, as source-controller checks it.
 */
export function registerVerifyArtifact(program: Command): void {
  const command = group(program, 'verify', 'Verify artifacts')
    .command('artifact')
    .description(
      'Verify the cosign signature of an OCI artifact with a public key (offline: no transparency log)',
    )
    .argument('<url>', 'oci://<registry>/<repository>[:<tag>|@<digest>]')
    .option('--key <file>', "the signer's public key (cosign.pub)")
    .option('-o, --output <format>', 'print the result as json or yaml');
  command.addHelpText(
    'after',
    examples([
      [
        "Verify an artifact's cosign signature with the signer's public key",
        'flux-oci verify artifact oci://ghcr.io/org/manifests/app:v0.0.1 --key=./cosign.pub',
      ],
    ]),
  );
  addRegistryFlags(command).action(async (url: string, flags: VerifyArtifactFlags) => {
    // Loaded when the command runs, not when its help is shown (see main.ts).
    const { toReference } = await import('../../oci/registry/operation.js');
    const { loadPublicKey } = await import('../../oci/signing/public-key.js');
    const { verifyArtifact } = await import('../../oci/signing/verify-artifact.js');
    const format = parseOutputFormat(flags.output);
    if (!flags.key) {
      throw new UserError(
        '--key is required: the public key the artifact was signed for, e.g. --key cosign.pub',
      );
    }
    const key = loadPublicKey(flags.key);
    const ref = toReference(url);
    const clientOptions = await registryClientOptions(flags, ref.registry);
    if (!format) log.action(`verifying the signature of ${url.replace(/^oci:\/\//, '')}`);
    const result = await verifyArtifact(ref, key, clientOptions);
    if (format) {
      printStructured(format, {
        url: `oci://${result.digestReference}`,
        digest: result.digest,
        signature: result.signatureReference,
        verified: true,
      });
      return;
    }
    log.success(`verified the signature of ${result.digestReference} with ${flags.key}`);
  });
}
