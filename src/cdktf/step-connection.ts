import { stepEnvName } from '../bootstrap/options/option-args.js';
import { envFlag, OPTION_FLAGS } from '../bootstrap/options/option-flags.js';
import type { ResolvedConnection } from './cluster-connection.js';
import { isDeployTime } from './deploy-time.js';
import { KUBECONFIG_DATA_ENV } from './flux-oci-command.js';

/** How a `flux-oci` step reaches the cluster: flags, environment, and what destroy needs. */
export interface StepConnection {
  readonly args: string[];
  readonly environment: Record<string, string>;
  /** The kubeconfig's content comes in the environment (a connection by host). */
  readonly kubeconfigFromEnvironment: boolean;
  /** For a destroy-time step: kept as input, read back from `self.output`. */
  readonly input: Record<string, string>;
  readonly destroyEnvironment: Record<string, string>;
}

/**
 * The step's side of the connection the providers use. Deploy-time values travel in the
 * environment; a connection by host becomes a kubeconfig the step writes to a private file.
 */
export function stepConnection(connection: ResolvedConnection): StepConnection {
  const kubeconfigFlag = `${envFlag('kubeconfig')}=${stepEnvName('kubeconfig')}`;
  if ('kubeconfigData' in connection.step) {
    return {
      args: [kubeconfigFlag],
      environment: { [KUBECONFIG_DATA_ENV]: connection.step.kubeconfigData },
      kubeconfigFromEnvironment: true,
      input: { kubeconfig_data: connection.step.kubeconfigData },
      destroyEnvironment: { [KUBECONFIG_DATA_ENV]: '${self.output.kubeconfig_data}' },
    };
  }
  const { kubeconfig, context } = connection.step;
  const args: string[] = [];
  const environment: Record<string, string> = {};
  for (const [key, value] of [
    ['kubeconfig', kubeconfig],
    ['context', context],
  ] as const) {
    if (value === undefined) continue;
    if (isDeployTime(value)) {
      args.push(`${envFlag(key)}=${stepEnvName(key)}`);
      environment[stepEnvName(key)] = value;
    } else {
      args.push(`${OPTION_FLAGS[key].flag}=${value}`);
    }
  }
  return {
    args,
    environment,
    kubeconfigFromEnvironment: false,
    input: { kubeconfig, ...(context !== undefined ? { context } : {}) },
    destroyEnvironment: {
      [stepEnvName('kubeconfig')]: '${self.output.kubeconfig}',
      ...(context !== undefined ? { [stepEnvName('context')]: '${self.output.context}' } : {}),
    },
  };
}

/** The destroy-time step's connection flags (its values always come from `self.output`). */
export function destroyStepArgs(connection: StepConnection): string[] {
  return connection.kubeconfigFromEnvironment || !('context' in connection.input)
    ? [`${envFlag('kubeconfig')}=${stepEnvName('kubeconfig')}`]
    : [
        `${envFlag('kubeconfig')}=${stepEnvName('kubeconfig')}`,
        `${envFlag('context')}=${stepEnvName('context')}`,
      ];
}
