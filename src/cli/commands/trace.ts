import type { Command } from 'commander';
import { UserError } from '../../errors.js';
import type { TraceTarget } from '../../flux/trace/trace-object.js';
import { addOptionFlags, readOptionFlags } from '../option-flags.js';
import { parseOutputFormat, printStructured } from '../output.js';
import { examples } from '../examples.js';

/** The cluster connection, also from the environment (`--kubeconfig-env`, `--context-env`). */
const CONNECTION_KEYS = ['kubeconfig', 'context'] as const;

interface TraceFlags {
  readonly namespace?: string;
  readonly kind?: string;
  readonly apiVersion?: string;
  readonly output?: string;
}

/**
 * Registers `flux-oci trace`, Flux's command for objects applied from an OCI artifact: the
 * object, the Kustomization that applied it, its OCIRepository and the artifact's Git origin.
 */
export function registerTrace(program: Command): void {
  const command = program
    .command('trace')
    .description(
      'Trace an in-cluster object to the Kustomization, OCI artifact and Git commit it came from',
    )
    .argument('<object>', '<kind>/<name>, <kind> <name>, or the name with --kind')
    .argument('[name]', 'the name, when the kind is given on its own')
    .option('-n, --namespace <namespace>', "the object's namespace (default: the context's)")
    .option('--kind <kind>', 'the Kubernetes object kind, e.g. Deployment')
    .option('--api-version <version>', "the Kubernetes object's API version, e.g. apps/v1")
    .option('-o, --output <format>', 'print the trace as json or yaml');
  command.addHelpText(
    'after',
    examples([
      [
        'Trace a Deployment to the Kustomization, the OCI artifact and the Git commit it came from',
        'flux-oci trace -n apps deployment/podinfo',
      ],
      [
        'Trace a ConfigMap, the kind and name apart, as JSON',
        'flux-oci trace cm podinfo -n apps -o json',
      ],
      [
        'Trace an object by name with its kind and API version as flags',
        'flux-oci trace podinfo --kind=Deployment --api-version=apps/v1 -n apps',
      ],
    ]),
  );

  addOptionFlags(command, CONNECTION_KEYS).action(
    async (first: string, second: string | undefined, flags: TraceFlags) => {
      const format = parseOutputFormat(flags.output);
      const target = traceTarget(first, second, flags);
      // Loaded when the command runs, not when its help is shown (see main.ts).
      const { KubeClient } = await import('../../kube/client.js');
      const { loadKubeConfig } = await import('../../kube/kubeconfig.js');
      const { traceObject } = await import('../../flux/trace/trace-object.js');
      const { formatTrace } = await import('../../flux/trace/format-trace.js');
      const kube = new KubeClient(loadKubeConfig(readOptionFlags(flags as never, CONNECTION_KEYS)));
      const trace = await traceObject(kube, target);
      if (format) printStructured(format, trace);
      else process.stdout.write(formatTrace(trace));
    },
  );
}

/** `deploy/podinfo`, `deploy podinfo` or `podinfo --kind deploy`, as `flux trace` takes them. */
function traceTarget(first: string, second: string | undefined, flags: TraceFlags): TraceTarget {
  const { namespace, apiVersion } = flags;
  const common = { ...(namespace ? { namespace } : {}), ...(apiVersion ? { apiVersion } : {}) };
  if (flags.kind) {
    if (second !== undefined || first.includes('/')) {
      throw new UserError(
        `--kind ${flags.kind} takes the object's name alone, got '${[first, second].filter(Boolean).join(' ')}': e.g. flux-oci trace podinfo --kind=${flags.kind}`,
      );
    }
    return { kind: flags.kind, name: first, ...common };
  }
  const slash = first.indexOf('/');
  if (slash >= 0 && second === undefined) {
    const [kind, name] = [first.slice(0, slash), first.slice(slash + 1)];
    if (kind && name && !name.includes('/')) return { kind, name, ...common };
  }
  if (slash < 0 && second !== undefined && !second.includes('/')) {
    return { kind: first, name: second, ...common };
  }
  const got = [first, second].filter((a) => a !== undefined).join(' ');
  throw new UserError(
    `trace takes <kind>/<name> or <kind> <name>, got '${got}': e.g. flux-oci trace deployment/podinfo -n apps`,
  );
}
