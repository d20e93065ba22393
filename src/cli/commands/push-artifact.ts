import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Command } from 'commander';
import { UserError } from '../../errors.js';
import { parseAnnotationFlags } from '../annotation-flag.js';
import { repositoryName, referenceName } from '../../oci/reference.js';
import {
  addIgnorePathsOption,
  ignorePathsFrom,
  ignorePathsOption,
  type IgnorePathsFlags,
} from '../artifact-flags.js';
import { addCosignKeyFlag, cosignSignerFromFlag } from '../cosign-key-flag.js';
import { group } from '../group.js';
import { log, parseOutputFormat, printStructured } from '../output.js';
import { readStdinBytes } from '../read-stdin.js';
import {
  addRegistryFlags,
  registryClientOptions,
  type RegistryFlags,
} from '../registry-options.js';
import { examples } from '../examples.js';

interface PushArtifactFlags extends RegistryFlags, IgnorePathsFlags {
  readonly path?: string;
  readonly source?: string;
  readonly revision?: string;
  readonly annotations: string[];
  readonly reproducible?: boolean;
  readonly resolveSymlinks?: boolean;
  readonly output?: string;
  readonly cosignKey?: string;
}

/**
 * Registers `flux-oci push artifact`, Flux's command: builds the artifact from a directory,
 * file or stdin and pushes it; blobs the registry has are not sent again, and the tag is
 * written last.
 */
export function registerPushArtifact(program: Command): void {
  const command = group(program, 'push', 'Push artifacts')
    .command('artifact')
    .description('Push Kubernetes manifests to an OCI registry as a Flux artifact')
    .argument('<url>', 'oci://<registry>/<repository>[:<tag>]')
    .option('-f, --path <path>', 'path to the directory, file, or - for stdin')
    .option('--source <source>', 'the source address, e.g. the Git URL')
    .option(
      '--revision <revision>',
      'the source revision in the format <branch|tag>@sha1:<commit-sha>',
    )
    .option('-a, --annotations <key=value>', 'set custom OCI annotations (repeatable)', collect, [])
    .addOption(ignorePathsOption())
    .addOption(addIgnorePathsOption())
    .option(
      '--reproducible',
      'set the created timestamp to the Unix epoch, so equal content gives an equal digest',
    )
    .option('--resolve-symlinks', 'resolve symlinks by copying their targets into the artifact')
    .option(
      '-o, --output <format>',
      'the format in which the artifact digest should be printed: json or yaml',
    );
  addCosignKeyFlag(command);
  command.addHelpText(
    'after',
    examples([
      [
        'Push manifests to GHCR using the short Git SHA as the OCI artifact tag',
        'echo $GITHUB_TOKEN | flux-oci push artifact oci://ghcr.io/org/config/app:$(git rev-parse --short HEAD) \\\n    --username=flux --password-stdin --path=./path/to/local/manifests \\\n    --source="$(git config --get remote.origin.url)" \\\n    --revision="$(git branch --show-current)@sha1:$(git rev-parse HEAD)"',
      ],
      [
        "Push to ECR with the cloud's identity and print the digest as JSON",
        'flux-oci push artifact oci://123456789012.dkr.ecr.eu-west-1.amazonaws.com/app:v1 \\\n    --provider=aws --path=./manifests --source="$(git config --get remote.origin.url)" \\\n    --revision="main@sha1:$(git rev-parse HEAD)" --output=json',
      ],
      [
        'Push and sign the digest with a cosign key (cosign verify --key cosign.pub accepts it)',
        'COSIGN_PASSWORD="$KEY_PASSWORD" flux-oci push artifact oci://ghcr.io/org/config/app:v1 \\\n    --path=./manifests --source="$(git config --get remote.origin.url)" \\\n    --revision="main@sha1:$(git rev-parse HEAD)" --cosign-key=./cosign.key',
      ],
    ]),
  );
  addRegistryFlags(command).action(async (url: string, flags: PushArtifactFlags) => {
    // Loaded when the command runs, not when its help is shown (see main.ts).
    const { pushArtifact } = await import('../../oci/registry/push.js');
    const { toReference } = await import('../../oci/registry/operation.js');
    const format = parseOutputFormat(flags.output);
    if (!flags.source)
      throw new UserError(
        '--source is required, e.g. --source="$(git config --get remote.origin.url)"',
      );
    if (!flags.revision)
      throw new UserError(
        '--revision is required, e.g. --revision="main@sha1:$(git rev-parse HEAD)"',
      );
    if (!flags.path) throw new UserError('--path is required: a directory, a file, or - for stdin');
    if (flags.path === '-' && flags.passwordStdin) {
      throw new UserError(
        '--path - and --password-stdin both read standard input: set $OCI_PASSWORD instead',
      );
    }
    const ref = toReference(url);
    // The key is opened before anything is pushed: a wrong password leaves the registry alone.
    const signer = await cosignSignerFromFlag(flags.cosignKey);
    const clientOptions = await registryClientOptions(flags, ref.registry);
    const stdin = flags.path === '-' ? await readStdinBytes() : undefined;
    // Loaded here: `push artifact --help` never loads the tar and gzip engine.
    const { buildStreamedArtifact, userCompressor } =
      await import('../../oci/content/layer-stream.js');
    // The layer streams through a file (memory bounded), in a directory of our own.
    const work = mkdtempSync(join(tmpdir(), 'flux-oci-push-'));
    try {
      const artifact = await buildStreamedArtifact(
        {
          path: flags.path,
          stdin,
          ignorePaths: ignorePathsFrom(flags),
          resolveSymlinks: flags.resolveSymlinks ?? false,
          source: flags.source,
          revision: flags.revision,
          annotations: parseAnnotationFlags(flags.annotations),
          reproducible: flags.reproducible ?? false,
        },
        join(work, 'layer.tar.gz'),
        userCompressor(flags.reproducible ?? false),
      );
      if (!format) log.action(`pushing artifact to ${referenceName(ref)}`);
      // With a key, signed before the tag names it: a failed signature leaves the tag alone.
      const { pushed: result, signed } = signer
        ? await (
            await import('../../oci/signing/push-signed.js')
          ).pushSignedArtifact(ref, artifact, signer, clientOptions)
        : { pushed: await pushArtifact(ref, artifact, clientOptions), signed: undefined };
      if (!format) log.success(`artifact successfully pushed to ${result.digestReference}`);
      if (!format) {
        if (signed) log.success(`signature stored at ${signed.signatureReference}`);
        return;
      }
      printStructured(format, {
        url: `oci://${result.digestReference}`,
        repository: repositoryName(ref),
        tag: ref.tag ?? '',
        digest: result.digest,
        ...(signed ? { signature: signed.signatureReference } : {}),
      });
    } finally {
      rmSync(work, { recursive: true, force: true });
    }
  });
}

function collect(value: string, previous: string[]): string[] {
  return [...previous, value];
}
