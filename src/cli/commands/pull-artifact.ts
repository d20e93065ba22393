import { statSync } from 'node:fs';
import type { Command } from 'commander';
import { UserError } from '../../errors.js';
import { referenceName } from '../../oci/reference.js';
import { group } from '../group.js';
import { log } from '../output.js';
import {
  addRegistryFlags,
  registryClientOptions,
  type RegistryFlags,
} from '../registry-options.js';
import { examples } from '../examples.js';

interface PullArtifactFlags extends RegistryFlags {
  readonly output?: string;
}

/**
 * Registers `flux-oci pull artifact`, Flux's command: pulls the artifact (digests and
 * sizes verified) and extracts its content layer into an existing directory, refusing
 * names that would escape it and skipping links and devices.
 */
export function registerPullArtifact(program: Command): void {
  const command = group(program, 'pull', 'Pull artifacts')
    .command('artifact')
    .description('Pull an artifact from an OCI registry and extract its content')
    .argument('<url>', 'oci://<registry>/<repository>[:<tag>|@<digest>]')
    .option('-o, --output <dir>', 'path where the artifact content should be extracted');
  command.addHelpText(
    'after',
    examples([
      [
        'Pull an OCI artifact created by flux-oci or flux from GHCR',
        'flux-oci pull artifact oci://ghcr.io/org/manifests/app:v0.0.1 --output ./path/to/local/manifests',
      ],
      [
        'Pull by digest from a registry with a private CA',
        'flux-oci pull artifact oci://registry.example.com/app@sha256:<digest> --ca-file=./ca.pem --output=./manifests',
      ],
    ]),
  );
  addRegistryFlags(command).action(async (url: string, flags: PullArtifactFlags) => {
    // Loaded when the command runs, not when its help is shown (see main.ts).
    const { pullArtifactToDirectory } = await import('../../oci/registry/pull.js');
    const { toReference } = await import('../../oci/registry/operation.js');
    const output = flags.output ?? '';
    if (output === '' || !isDirectory(output)) {
      throw new UserError(
        `invalid output path '${output}': --output must be an existing directory`,
      );
    }
    const ref = toReference(url);
    const clientOptions = await registryClientOptions(flags, ref.registry);
    log.action(`pulling artifact from ${referenceName(ref)}`);
    // Download → gunzip → extract into a staging directory as the bytes arrive (memory stays
    // bounded), moved into --output only once the digest verified. No size limit, as `flux
    // pull artifact`: the user asked for this artifact; the staging file system's free space
    // still bounds the unverified bytes (LayerExtraction).
    const pulled = await pullArtifactToDirectory(ref, output, {
      ...clientOptions,
      maxSize: Number.POSITIVE_INFINITY,
    });
    const annotations = pulled.manifest.annotations ?? {};
    log.success(`source ${annotations['org.opencontainers.image.source'] ?? ''}`);
    log.success(`revision ${annotations['org.opencontainers.image.revision'] ?? ''}`);
    log.success(`digest ${pulled.digestReference}`);
    log.success(`artifact content extracted to ${output}`);
  });
}

function isDirectory(path: string): boolean {
  try {
    return statSync(path).isDirectory();
  } catch {
    return false;
  }
}
