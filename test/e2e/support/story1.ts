// RFC story 1 on the harness, the same for the end-to-end tests and the benchmarks: the
// components and the fleet artifacts in two TLS registries with basic auth, one user each
// (a registry accepts only its own user, so credentials given to the wrong one fail), both
// certificates signed by one CA; the two controllers the harness runs; Flux 2.9.5's real
// component set.
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startRegistry, type TestRegistry, type TestUser } from '../../support/registry.js';
import { generateCa } from '../../support/pki.js';
import type { Cluster } from '../harness/cluster.js';
import { repoRoot } from '../harness/tools.js';

export const STORY1_MANIFESTS = join(repoRoot, 'test/fixtures/flux-components');

/** The components registry and its user, the fleet registry and its user. */
export interface Story1Registries {
  /** Holds `flux/components`; accepts `componentsUser` only. */
  readonly components: TestRegistry;
  readonly componentsUser: TestUser;
  /** Holds `fleet/cluster`; accepts `fleetUser` only. */
  readonly fleet: TestRegistry;
  readonly fleetUser: TestUser;
  /** The CA that signed both registries' certificates. */
  readonly caFile: string;
  stop(): Promise<void>;
}

/**
 * Starts the two registries of story 1. The user objects are kept, not copied: a test that
 * rotates a password (story 5) changes `componentsUser.password` and the registry together.
 */
export async function startStory1Registries(
  componentsUser: TestUser,
  fleetUser: TestUser,
): Promise<Story1Registries> {
  const dir = await mkdtemp(join(tmpdir(), 'flux-oci-story1-ca-'));
  const started: TestRegistry[] = [];
  const stop = async (): Promise<void> => {
    for (const r of started) await r.stop();
    await rm(dir, { recursive: true, force: true });
  };
  try {
    const ca = await generateCa(dir);
    const components = await startRegistry({ tls: true, ca, htpasswd: componentsUser });
    started.push(components);
    const fleet = await startRegistry({ tls: true, ca, htpasswd: fleetUser });
    started.push(fleet);
    return { components, componentsUser, fleet, fleetUser, caFile: ca.caFile, stop };
  } catch (err) {
    await stop();
    throw err;
  }
}

export const componentsUrl = (r: Story1Registries, tag: string): string =>
  `oci://${r.components.host}/flux/components:${tag}`;
export const fleetUrl = (r: Story1Registries, tag = 'production'): string =>
  `oci://${r.fleet.host}/fleet/cluster:${tag}`;

/**
 * `flux-oci bootstrap oci` arguments; the components password goes to standard input, the
 * fleet password in the environment (story1BootstrapEnv).
 */
export function story1BootstrapArgs(
  registries: Story1Registries,
  cluster: Cluster,
  componentsTag = 'latest',
): string[] {
  return [
    'bootstrap',
    'oci',
    `--url=${componentsUrl(registries, componentsTag)}`,
    `--username=${registries.componentsUser.username}`,
    '--password-stdin',
    `--cluster-url=${fleetUrl(registries)}`,
    `--cluster-username=${registries.fleetUser.username}`,
    '--cluster-path=clusters/production',
    `--ca-file=${registries.caFile}`,
    `--manifests=${STORY1_MANIFESTS}`,
    '--version=v2.9.5',
    '--components=source-controller,kustomize-controller',
    `--kubeconfig=${cluster.kubeconfigPath}`,
    '--timeout=3m',
  ];
}

/** The environment of `flux-oci bootstrap oci`: the fleet password (OCI_CLUSTER_PASSWORD). */
export function story1BootstrapEnv(registries: Story1Registries): NodeJS.ProcessEnv {
  return { OCI_CLUSTER_PASSWORD: registries.fleetUser.password };
}

/**
 * The environment that points the story 1 example app (stacks/story1-basic-auth.ts) at the
 * harness, with `binary` (tofu or terraform) as cdktf's engine.
 */
export function story1AppEnv(
  registries: Story1Registries,
  cluster: Cluster,
  binary: string,
  terraformEnv: Record<string, string>,
): NodeJS.ProcessEnv {
  return {
    ...terraformEnv,
    TERRAFORM_BINARY_NAME: binary,
    TF_VAR_oci_password: registries.componentsUser.password,
    TF_VAR_oci_cluster_password: registries.fleetUser.password,
    FLUX_OCI_URL: componentsUrl(registries, 'production'),
    FLUX_OCI_USERNAME: registries.componentsUser.username,
    FLUX_OCI_CLUSTER_URL: fleetUrl(registries),
    FLUX_OCI_CLUSTER_USERNAME: registries.fleetUser.username,
    FLUX_OCI_COMPONENTS: 'source-controller,kustomize-controller',
    FLUX_OCI_VERSION: 'v2.9.5',
    FLUX_OCI_CA_FILE: registries.caFile,
    FLUX_OCI_KUBECONFIG: cluster.kubeconfigPath,
    FLUX_MANIFESTS: STORY1_MANIFESTS,
  };
}

/**
 * What a dockerconfigjson Secret holds: one entry per registry host, with the user and
 * password Flux will send there.
 */
export function dockerConfigAuths(
  data: Record<string, string> | undefined,
): Record<string, { username: string; password: string }> {
  const encoded = data?.['.dockerconfigjson'];
  if (!encoded) throw new Error('the Secret has no .dockerconfigjson');
  const config = JSON.parse(Buffer.from(encoded, 'base64').toString('utf8')) as {
    auths: Record<string, { username: string; password: string; auth?: string }>;
  };
  const auths: Record<string, { username: string; password: string }> = {};
  for (const [host, entry] of Object.entries(config.auths)) {
    // The `auth` field (base64 user:password) is what some clients read instead: it must agree.
    if (entry.auth !== undefined) {
      expect(Buffer.from(entry.auth, 'base64').toString('utf8')).toBe(
        `${entry.username}:${entry.password}`,
      );
    }
    auths[host] = { username: entry.username, password: entry.password };
  }
  return auths;
}

/** The `auths` each story 1 Secret must hold: its own registry and user, nothing else. */
export function expectedAuths(registries: Story1Registries): {
  'flux-components': Record<string, TestUser>;
  'flux-system': Record<string, TestUser>;
} {
  const { components, componentsUser, fleet, fleetUser } = registries;
  return {
    'flux-components': {
      [components.host]: {
        username: componentsUser.username,
        password: componentsUser.password,
      },
    },
    'flux-system': {
      [fleet.host]: { username: fleetUser.username, password: fleetUser.password },
    },
  };
}
