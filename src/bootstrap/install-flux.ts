import { UserError } from '../errors.js';
import type { GeneratedComponents } from '../flux/generate-components.js';
import { registrySecretObject } from '../flux/registry-secret.js';
import { applyManifests } from './apply/apply-manifests.js';
import type { KubeClient } from '../kube/client.js';
import { refOf } from '../kube/object.js';
import { silentProgressLogger, type ProgressLogger } from './progress-logger.js';
import { waitForReady } from './readiness/wait-for-ready.js';
import { applyComponents } from './install-phase.js';
import { checkOtherManager, installationLabels } from './installation-manager.js';

/** `flux install` on a cluster: the generated components and what else it takes. */
export interface InstallFluxOptions {
  /** What `flux install --export` prints for the options (generateComponents). */
  readonly components: GeneratedComponents;
  readonly namespace: string;
  /**
   * Credentials for an image pull Secret named `imagePullSecret`, for `registry` (Flux's
   * `--registry-creds`), written after the components.
   * @default none
   */
  readonly registryCredentials?: { readonly username: string; readonly password: string };
  /** @default none */
  readonly imagePullSecret?: string;
  /** Where the controller images come from: the Secret's registry key. */
  readonly registry: string;
  /**
   * Go ahead when another tool (e.g. Helm) installed Flux, as `flux install --force`.
   * @default false
   */
  readonly force?: boolean;
  /**
   * Asked when another tool installed Flux and `force` is not set; false cancels.
   * @default - refuse, naming --force
   */
  readonly confirmOverride?: (question: string) => Promise<boolean>;
  /** CRDs Established and the controllers ready within this. @default 300000 */
  readonly timeoutMs?: number;
  /** @default silent */
  readonly logger?: ProgressLogger;
}

/** Labels kustomize-controller puts on what it applies: Flux was bootstrapped. */
const BOOTSTRAP_LABELS = [
  'kustomize.toolkit.fluxcd.io/name',
  'kustomize.toolkit.fluxcd.io/namespace',
];

/**
 * Installs or upgrades Flux in place, as `flux install` does: refuses a cluster bootstrapped
 * with Flux (its components are the Kustomization's), asks before overriding an installation
 * managed by another tool, applies the components staged (shared with phase 1), writes the
 * image pull Secret when credentials are given, and waits until the controllers'
 * Deployments are ready.
 */
export async function installFlux(kube: KubeClient, options: InstallFluxOptions): Promise<void> {
  const logger = options.logger ?? silentProgressLogger;
  const timeoutMs = options.timeoutMs ?? 300_000;
  logger.step(`installing components in ${options.namespace} namespace`);
  await checkExistingInstall(kube, options);

  await applyComponents(kube, options.components.objects, {
    namespace: options.namespace,
    timeoutMs,
    logger,
  });
  if (options.registryCredentials && options.imagePullSecret) {
    logger.step(`generating image pull secret ${options.imagePullSecret}`);
    const secret = registrySecretObject({
      name: options.imagePullSecret,
      namespace: options.namespace,
      registry: options.registry,
      ...options.registryCredentials,
    });
    await applyManifests(kube, [secret], { logger });
  }

  logger.waiting('verifying installation');
  const deployments = options.components.objects.filter(
    (o) => o.kind === 'Deployment' && o.apiVersion === 'apps/v1',
  );
  await waitForReady(kube, deployments.map(refOf), { timeoutMs, logger });
  logger.success('install finished');
}

/** `flux install`'s look at the gitrepositories CRD: bootstrapped, or installed by another tool. */
async function checkExistingInstall(kube: KubeClient, options: InstallFluxOptions): Promise<void> {
  const labels = await installationLabels(kube);
  if (!labels) return;
  const version = labels['app.kubernetes.io/version'] ?? 'of an unknown version';
  if (BOOTSTRAP_LABELS.some((l) => l in labels)) {
    throw new UserError(
      `this cluster has already been bootstrapped with Flux ${version}: its components are updated by Flux from its source; upgrade with flux-oci upgrade or flux-oci bootstrap oci`,
    );
  }
  await checkOtherManager(labels, options, '--force');
}
