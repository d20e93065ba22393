// `flux-oci bootstrap oci --secret-name --registry-creds --force` against real components
// (RFC story 1's two TLS registries, one user each, a real API server and the real
// source-controller and kustomize-controller): a cluster whose Flux another tool installed is
// refused without --force before anything is pushed; with it, the fleet registry's Secret is
// the one --secret-name names and source-controller pulls with it; --registry-creds (given
// through --registry-creds-env, so never in argv) becomes the controllers' image pull Secret.
import { applyObjects, readManifests } from './harness/apply.js';
import { fluxCrdFiles } from './harness/flux.js';
import { START_TIMEOUT } from './harness/teardown.js';
import { story1Cluster } from './support/deployed-story1.js';
import { runFluxOci, type CliResult } from './support/flux-oci-cli.js';
import { passwordForms } from './support/leak-search.js';
import { readOrGone } from './support/read-or-gone.js';
import {
  dockerConfigAuths,
  expectedAuths,
  story1BootstrapArgs,
  story1BootstrapEnv,
} from './support/story1.js';

const user = { username: 'flux', password: 'e2e-Flags-p4ss' };
const fleetUser = { username: 'fleet-reader', password: 'e2e-Flags-Fleet-p4ss' };
const puller = { username: 'image-puller', password: 'e2e-Pull-s3cret' };
const IMAGE_REGISTRY = 'registry.example.com/fluxcd';

interface FluxObject {
  spec: { secretRef?: { name: string } };
  status?: { conditions?: { type: string; status: string; message: string }[] };
}

describe('flux-oci bootstrap oci --secret-name --registry-creds --force (real components)', () => {
  const h = story1Cluster(user, fleetUser);
  let refused: CliResult;
  let first: CliResult;
  // Stops a bootstrap still running when the set-up fails.
  const abort = new AbortController();

  const args = (...extra: string[]): string[] => [
    ...story1BootstrapArgs(h.registries, h.cluster),
    '--secret-name=fleet-creds',
    '--image-pull-secret=flux-pull',
    `--registry=${IMAGE_REGISTRY}`,
    '--registry-creds-env=PULL_CREDS',
    ...extra,
  ];
  const env = (): NodeJS.ProcessEnv => ({
    ...story1BootstrapEnv(h.registries),
    PULL_CREDS: `${puller.username}:${puller.password}`,
  });

  const read = (kind: string, apiVersion: string, name: string) =>
    h.read(kind, apiVersion, name) as Promise<FluxObject>;

  beforeAll(async () => {
    // Flux "installed with Helm": the CRD flux reads the installation from, so labelled.
    const crd = (await readManifests(await fluxCrdFiles())).find(
      (o) => o.metadata.name === 'gitrepositories.source.toolkit.fluxcd.io',
    )!;
    const metadata = crd.metadata as { labels?: Record<string, string> };
    metadata.labels = {
      ...metadata.labels,
      'app.kubernetes.io/managed-by': 'Helm',
      'app.kubernetes.io/version': 'v2.9.5',
    };
    await applyObjects(h.cluster.kubeconfigPath, [crd]);
    refused = await runFluxOci(args(), { stdin: user.password, env: env() });

    const running = runFluxOci(args('--force'), {
      stdin: user.password,
      env: env(),
      signal: abort.signal,
    });
    // The controllers start once the bootstrap has made their kinds served.
    await h.startFlux();
    first = await running;
  }, START_TIMEOUT);

  afterAll(() => abort.abort());

  test('without --force, Flux installed by Helm is refused before anything is pushed', () => {
    expect(refused.code).toBe(1);
    expect(refused.stderr).toContain(
      '✗ Flux v2.9.5 has been installed on this cluster with Helm: pass --force (force) to override the Helm installation\n',
    );
    expect(refused.stderr).not.toMatch(/pushing components artifact/);
  });

  test('with --force it bootstraps', () => {
    if (first.code !== 0) throw new Error(`exit ${first.code}\n${first.stderr}${h.logs()}`);
    expect(first.stderr).toMatch(/✔ bootstrap finished/);
    // From the environment, the credentials are in no argument list: nothing to warn about.
    expect(first.stderr).not.toMatch(/warning: --registry-creds/);
  });

  test('--secret-name: the flux-system OCIRepository references that Secret and is Ready with it', async () => {
    const components = await read(
      'OCIRepository',
      'source.toolkit.fluxcd.io/v1',
      'flux-components',
    );
    expect(components.spec.secretRef?.name).toBe('flux-components');
    const repo = await read('OCIRepository', 'source.toolkit.fluxcd.io/v1', 'flux-system');
    expect(repo.spec.secretRef?.name).toBe('fleet-creds');
    // The fleet registry accepts only its own user: Ready means that Secret holds it.
    const ready = repo.status?.conditions?.find((c) => c.type === 'Ready');
    expect({ ready: ready?.status, message: ready?.message }).toEqual({
      ready: 'True',
      message: expect.any(String),
    });
    const secret = await h.core.readNamespacedSecret({
      name: 'fleet-creds',
      namespace: 'flux-system',
    });
    expect(dockerConfigAuths(secret.data)).toEqual(expectedAuths(h.registries)['flux-system']);
    // No Secret under the default name.
    const fallback = await readOrGone(() =>
      h.core.readNamespacedSecret({ name: 'flux-system', namespace: 'flux-system' }),
    );
    expect(fallback).toBeUndefined();
  });

  test('--registry-creds: the image pull Secret for --registry, used by the controllers', async () => {
    const secret = await h.core.readNamespacedSecret({
      name: 'flux-pull',
      namespace: 'flux-system',
    });
    expect(secret.type).toBe('kubernetes.io/dockerconfigjson');
    expect(dockerConfigAuths(secret.data)).toEqual({ [IMAGE_REGISTRY]: puller });
    const deployment = (await h.objects.read({
      apiVersion: 'apps/v1',
      kind: 'Deployment',
      metadata: { name: 'source-controller', namespace: 'flux-system' },
    })) as unknown as { spec: { template: { spec: { imagePullSecrets?: unknown } } } };
    expect(deployment.spec.template.spec.imagePullSecrets).toEqual([{ name: 'flux-pull' }]);
  });

  test('the passwords and their base64 forms appear in no output', () => {
    const forms = passwordForms(
      [user.password, fleetUser.password, puller.password],
      [user.username, fleetUser.username, puller.username],
    );
    for (const result of [refused, first]) {
      const output = result.stdout + result.stderr;
      expect({ leaked: forms.filter((f) => output.includes(f)) }).toEqual({ leaked: [] });
    }
  });
});
