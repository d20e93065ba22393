import type { Command } from 'commander';
import { UserError } from '../../errors.js';
import { DEFAULT_NAMESPACE } from '../../flux/install-options.js';
import { PASSWORD_ENV } from '../../oci/registry/credentials.js';
import { group } from '../group.js';
import { labelOption, parseLabels } from '../label-flag.js';
import { addOptionFlags, readOptionFlags } from '../option-flags.js';
import { log } from '../output.js';
import { examples } from '../examples.js';

interface CreateSecretOciFlags {
  url?: string;
  username?: string;
  password?: string;
  passwordStdin?: boolean;
  namespace: string;
  export?: boolean;
  label?: string[];
}

/** The cluster connection, also from the environment (`--kubeconfig-env`, `--context-env`). */
const CONNECTION_KEYS = ['kubeconfig', 'context'] as const;

/**
 * Registers `flux-oci create secret oci NAME`, Flux's registry credentials Secret: written to
 * the cluster, or printed with `--export`.
 */
export function registerCreateSecretOci(program: Command): void {
  const secret = group(group(program, 'create', 'Create Flux objects'), 'secret', 'Create Secrets');
  const command = secret
    .command('oci')
    .description(
      'Generate a registry credentials Secret (kubernetes.io/dockerconfigjson) for OCIRepository',
    )
    .argument('<name>', 'name of the Secret')
    .option('--url <registry>', 'registry address, e.g. ghcr.io')
    .option('-u, --username <username>', 'registry user name')
    .option(
      '-p, --password <password>',
      `registry password (prefer --password-stdin or ${PASSWORD_ENV}: arguments are visible to other users)`,
    )
    .option('--password-stdin', 'read the registry password from standard input')
    .option('-n, --namespace <namespace>', 'namespace of the Secret', DEFAULT_NAMESPACE)
    .option('--export', 'print the Secret to standard output instead of writing it to the cluster')
    .addOption(labelOption());
  command.addHelpText(
    'after',
    examples([
      [
        'Create a registry Secret for OCIRepositories, the password from stdin',
        'echo $GITHUB_TOKEN | flux-oci create secret oci ghcr-auth --url=ghcr.io --username=flux --password-stdin',
      ],
      [
        'Print it as YAML instead, for a Git repository or a sealed secret',
        'OCI_PASSWORD=$GITHUB_TOKEN flux-oci create secret oci ghcr-auth --url=ghcr.io --username=flux --export',
      ],
    ]),
  );
  addOptionFlags(command, CONNECTION_KEYS)
    .exitOverride()
    .action(async (name: string, flags: CreateSecretOciFlags) => {
      // Loaded when the command runs, not when its help is shown (see main.ts).
      const { exportSecretYaml, registrySecretObject } =
        await import('../../flux/registry-secret.js');
      const { applyManifests } = await import('../../bootstrap/apply/apply-manifests.js');
      const { KubeClient } = await import('../../kube/client.js');
      const { loadKubeConfig } = await import('../../kube/kubeconfig.js');
      if (!flags.url) throw new UserError('--url is required: the registry address, e.g. ghcr.io');
      if (flags.url.includes('://')) {
        throw new UserError(
          `--url "${flags.url}" must be a registry address without a scheme, e.g. ghcr.io`,
        );
      }
      if (!flags.username) throw new UserError('--username is required');
      const password =
        flags.password ?? (flags.passwordStdin ? await readStdin() : process.env[PASSWORD_ENV]);
      if (!password) {
        throw new UserError(
          `no registry password: pipe it in with --password-stdin or set ${PASSWORD_ENV}`,
        );
      }
      const labels = parseLabels(flags.label);
      const secretObject = registrySecretObject({
        name,
        namespace: flags.namespace,
        registry: flags.url,
        username: flags.username,
        password,
      });
      if (Object.keys(labels).length > 0) secretObject.metadata.labels = labels;
      if (flags.export) {
        process.stdout.write(`${exportSecretYaml(secretObject)}\n`);
        return;
      }
      // Server-side apply, as bootstrap writes its Secrets: created, or updated in place.
      const connection = readOptionFlags({ ...flags }, CONNECTION_KEYS);
      const kube = new KubeClient(loadKubeConfig(connection));
      await applyManifests(kube, [secretObject]);
      log.action(`oci secret '${name}' created in '${flags.namespace}' namespace`);
    });
}

/** Standard input up to its end, without the trailing line break. */
async function readStdin(): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of process.stdin) chunks.push(Buffer.from(chunk as Uint8Array));
  return Buffer.concat(chunks)
    .toString('utf8')
    .replace(/\r?\n$/, '');
}
