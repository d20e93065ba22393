import { App, type TerraformStack } from 'cdktf';
import { relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

/** The `flux-oci` launcher of this package, run by the pre-apply steps. */
export const FLUX_OCI_BIN = fileURLToPath(new URL('../../bin/flux-oci.js', import.meta.url));

/** Quotes one word for the POSIX shell that local-exec runs commands with. */
export function shellQuote(word: string): string {
  return /^[A-Za-z0-9_@%+=:,./-]+$/.test(word) ? word : `'${word.replace(/'/g, `'\\''`)}'`;
}

/**
 * The shell command line for `flux-oci <args>`, with the same Node.js that synthesized the
 * app (cdktf deploy synthesizes and applies in one run on one machine). Credentials and
 * deploy-time values never appear here: they travel in the provisioner's environment.
 */
export function fluxOciCommand(args: readonly string[]): string {
  return commandLine([process.execPath, FLUX_OCI_BIN, ...args]);
}

/**
 * The shell command line for `flux-oci <args>` that names no path of the synthesizing
 * machine: `node` from the PATH, the launcher relative to the stack's directory (where
 * Terraform runs it), so the synthesized project applies from another checkout or job.
 */
export function portableFluxOciCommand(stack: TerraformStack, args: readonly string[]): string {
  const stackDir = resolve(App.of(stack).outdir, 'stacks', stack.node.id);
  return commandLine(['node', relative(stackDir, FLUX_OCI_BIN), ...args]);
}

/** The environment variable that carries a step's kubeconfig content (a connection by host). */
export const KUBECONFIG_DATA_ENV = 'FLUX_OCI_STEP_KUBECONFIG_DATA';

/**
 * `command` with the kubeconfig content of KUBECONFIG_DATA_ENV in a private temporary file,
 * named to it by FLUX_OCI_STEP_KUBECONFIG (`--kubeconfig-env`) and removed afterwards. The
 * wrapper is fixed text: the content stays in the environment.
 */
export function withKubeconfigFile(command: string): string {
  return (
    `set -e; umask 077; kubeconfig=$(mktemp); trap 'rm -f "$kubeconfig"' EXIT; ` +
    `printf '%s' "$${KUBECONFIG_DATA_ENV}" > "$kubeconfig"; ` +
    `FLUX_OCI_STEP_KUBECONFIG="$kubeconfig" ${command}`
  );
}

function commandLine(words: readonly string[]): string {
  // Terraform substitutes `${...}` and `%{...}` in a command line unescaped, under the
  // shell's quotes: what only Terraform knows goes in the environment instead.
  const template = words.find((word) => TERRAFORM_TEMPLATE.test(word));
  if (template !== undefined) {
    throw new Error(`internal: '${template}' would be substituted into a shell command line`);
  }
  return words.map(shellQuote).join(' ');
}

/** What Terraform would substitute in a string: an interpolation or a template directive. */
export const TERRAFORM_TEMPLATE = /[$%]\{/;
