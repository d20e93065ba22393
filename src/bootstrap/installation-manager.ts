import { UserError } from '../errors.js';
import type { KubeClient } from '../kube/client.js';

/** How a caller lets an installation by another tool be overridden. */
export interface OverrideOptions {
  /** Go ahead without asking. @default false */
  readonly force?: boolean;
  /** Asked when `force` is not set; false cancels. @default - refuse, naming the force flag */
  readonly confirmOverride?: (question: string) => Promise<boolean>;
}

/**
 * `flux install` and `flux bootstrap` leave an installation by another tool (label
 * `app.kubernetes.io/managed-by` on the gitrepositories CRD, e.g. Helm) alone unless forced
 * or confirmed. `forceFlag` is how the caller's user forces it.
 */
export async function checkOtherManager(
  labels: Readonly<Record<string, string>>,
  options: OverrideOptions,
  forceFlag: string,
): Promise<void> {
  const version = labels['app.kubernetes.io/version'] ?? 'of an unknown version';
  const manager = labels['app.kubernetes.io/managed-by'];
  if (manager === undefined || manager === '' || manager === 'flux' || options.force) return;
  const question = `Flux ${version} has been installed on this cluster with ${manager}! Are you sure you want to override the ${manager} installation?`;
  if (!options.confirmOverride) {
    throw new UserError(
      `Flux ${version} has been installed on this cluster with ${manager}: pass ${forceFlag} to override the ${manager} installation`,
    );
  }
  if (!(await options.confirmOverride(question))) throw new UserError('installation cancelled');
}

/** The labels of the gitrepositories CRD, the object Flux reads its installation from. */
export async function installationLabels(
  kube: KubeClient,
): Promise<Readonly<Record<string, string>> | undefined> {
  const crd = await kube.get({
    apiVersion: 'apiextensions.k8s.io/v1',
    kind: 'CustomResourceDefinition',
    name: 'gitrepositories.source.toolkit.fluxcd.io',
  });
  return crd ? (crd.metadata.labels ?? {}) : undefined;
}
