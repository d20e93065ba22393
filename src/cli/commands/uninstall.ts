import type { Command } from 'commander';
import { stderrProgressLogger } from '../../bootstrap/progress-logger.js';
import { UserError } from '../../errors.js';
import { addOptionFlags, readOptionFlags } from '../option-flags.js';
import { parseGoDuration } from '../registry-options.js';
import { examples } from '../examples.js';

/** The cluster connection, also from the environment (`--kubeconfig-env`, `--context-env`). */
const CONNECTION_KEYS = ['kubeconfig', 'context'] as const;

/**
 * Registers `flux-oci uninstall`: Flux's own order (components, finalizers, CRDs, then the
 * namespace unless kept), tolerating what is already gone; workloads Flux applied stay.
 */
export function registerUninstall(program: Command): void {
  const command = program
    .command('uninstall')
    .description(
      'Uninstall Flux and its custom resource definitions; what Flux applied keeps running',
    )
    .option('-n, --namespace <namespace>', 'namespace Flux is installed in', 'flux-system')
    .option(
      '--keep-namespace [bool]',
      'keep the namespace',
      (v: string | undefined) => v !== 'false',
    )
    .option('--dry-run', 'only print what would be deleted')
    .option('-s, --silent', 'delete without asking for confirmation')
    .option('--timeout <duration>', 'how long the uninstall may take', '5m0s');
  command.addHelpText(
    'after',
    examples([
      [
        'Uninstall Flux, keeping what it applied running',
        'flux-oci uninstall --namespace=flux-system',
      ],
      [
        'See what would be deleted, keeping the namespace',
        'flux-oci uninstall --dry-run --keep-namespace',
      ],
    ]),
  );
  addOptionFlags(command, CONNECTION_KEYS).action(async (opts: Record<string, unknown>) => {
    // Loaded when the command runs, not when its help is shown (see main.ts).
    const { KubeClient } = await import('../../kube/client.js');
    const { loadKubeConfig } = await import('../../kube/kubeconfig.js');
    const { uninstallFlux } = await import('../../bootstrap/uninstall-phase.js');
    const namespace = opts.namespace as string;
    const timeout = opts.timeout as string;
    const timeoutMs = parseGoDuration(timeout, '--timeout');
    const connection = readOptionFlags(opts, CONNECTION_KEYS);
    if (!opts.silent && !opts.dryRun) await confirm(namespace);
    const kube = new KubeClient(loadKubeConfig(connection));
    const logger = stderrProgressLogger();
    await withTimeout(
      (signal) =>
        uninstallFlux(kube, {
          namespace,
          keepNamespace: Boolean(opts.keepNamespace),
          dryRun: Boolean(opts.dryRun),
          // The controllers' pods get at most the time the whole uninstall has.
          controllersTimeoutMs: Math.min(60_000, timeoutMs),
          logger,
          signal,
        }),
      timeoutMs,
      `uninstall did not finish within --timeout ${timeout}; what is deleted stays deleted: run it again, with a longer --timeout`,
    );
    logger.success(opts.dryRun ? 'uninstall dry run finished' : 'uninstall finished');
  });
}

/**
 * `work`, or a UserError with `message` once `ms` have passed; `work`'s signal is aborted
 * then, so it starts nothing more (as flux's context deadline).
 */
async function withTimeout<T>(
  work: (signal: AbortSignal) => Promise<T>,
  ms: number,
  message: string,
): Promise<T> {
  const deadline = new AbortController();
  let timer: NodeJS.Timeout | undefined;
  try {
    return await Promise.race([
      work(deadline.signal),
      new Promise<never>((_, reject) => {
        timer = setTimeout(() => {
          const error = new UserError(message);
          deadline.abort(error);
          reject(error);
        }, ms);
      }),
    ]);
  } finally {
    clearTimeout(timer);
  }
}

async function confirm(namespace: string): Promise<void> {
  if (!process.stdin.isTTY) {
    throw new UserError(
      'uninstall deletes Flux and its custom resources; pass --silent to confirm without a prompt',
    );
  }
  // Loaded for the prompt only: `--help` and unattended runs never load readline.
  const { createInterface } = await import('node:readline/promises');
  const prompt = createInterface({ input: process.stdin, output: process.stderr });
  try {
    const answer = await prompt.question(
      `Are you sure you want to delete Flux and its custom resource definitions from "${namespace}"? [y/N] `,
    );
    if (!/^y(es)?$/i.test(answer.trim())) throw new UserError('uninstall cancelled', 1);
  } finally {
    prompt.close();
  }
}
