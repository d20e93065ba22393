// The controllers' image pull Secret of the story 1 apps (registryCreds, as
// `flux install --registry-creds`): a private registry for the controller images, its
// user, and what the cluster must show for it.
import type { CoreV1Api, KubernetesObjectApi } from '@kubernetes/client-node';
import type { TestUser } from '../../support/registry.js';
import { dockerConfigAuths } from './story1.js';

export const PULL_SECRET = 'flux-pull';
export const PULL_REGISTRY = 'registry.example.com/fluxcd';

/** The environment that makes the story 1 apps write the image pull Secret for `puller`. */
export function pullSecretEnv(puller: TestUser, revision = 1): NodeJS.ProcessEnv {
  return {
    FLUX_OCI_IMAGE_PULL_SECRET: PULL_SECRET,
    FLUX_OCI_REGISTRY: PULL_REGISTRY,
    FLUX_OCI_REGISTRY_CREDS_REVISION: String(revision),
    TF_VAR_registry_creds: `${puller.username}:${puller.password}`,
  };
}

/** The forms of the pull credentials a leak search looks for. */
export function pullSecretForms(puller: TestUser): string[] {
  const pair = `${puller.username}:${puller.password}`;
  return [puller.password, pair, Buffer.from(pair).toString('base64')];
}

/**
 * The Secret holds `puller` for the images' registry, and every controller Deployment
 * pulls with it. Returns what was seen, for one toEqual that shows all of it on failure.
 */
export async function readPullSecretUse(
  core: CoreV1Api,
  objects: KubernetesObjectApi,
  namespace = 'flux-system',
): Promise<{
  type?: string;
  auths: Record<string, { username: string; password: string }>;
  deployments: Record<string, unknown>;
}> {
  const secret = await core.readNamespacedSecret({ name: PULL_SECRET, namespace });
  const list = (await objects.list('apps/v1', 'Deployment', namespace)) as unknown as {
    items: {
      metadata: { name: string };
      spec: { template: { spec: { imagePullSecrets?: unknown } } };
    }[];
  };
  return {
    type: secret.type,
    auths: dockerConfigAuths(secret.data),
    deployments: Object.fromEntries(
      list.items.map((d) => [d.metadata.name, d.spec.template.spec.imagePullSecrets]),
    ),
  };
}

/** What readPullSecretUse must return for `puller` and the controllers that run. */
export function expectedPullSecretUse(
  puller: TestUser,
  controllers: readonly string[],
): Awaited<ReturnType<typeof readPullSecretUse>> {
  return {
    type: 'kubernetes.io/dockerconfigjson',
    auths: { [PULL_REGISTRY]: { username: puller.username, password: puller.password } },
    deployments: Object.fromEntries(controllers.map((c) => [c, [{ name: PULL_SECRET }]])),
  };
}
