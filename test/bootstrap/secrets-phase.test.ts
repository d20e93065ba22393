// The secrets phase against two real registries, one user each (RFC story 1): each registry
// is asked with its own user before anything is written, and a rejected password fails with
// that registry's answer. The cluster is unreachable (127.0.0.1:1): a phase that got as far as
// writing a Secret would fail on the connection instead. The Secrets written, and Flux
// pulling with them, are checked on the real cluster in test/e2e (bootstrap-cli, cdktf-deploy).
import { jest } from '@jest/globals';
import { KubeConfig } from '@kubernetes/client-node';
import { KubeClient } from '../../src/kube/client.js';
import type { ProgressLogger } from '../../src/bootstrap/progress-logger.js';
import type { BootstrapOciOptions } from '../../src/bootstrap/options/options.js';
import { resolveBootstrapOptions } from '../../src/bootstrap/options/resolve-options.js';
import { runSecretsPhase } from '../../src/bootstrap/secrets-phase.js';
import { planSync } from '../../src/bootstrap/sync-plan.js';
import { startRegistry, type TestRegistry } from '../support/registry.js';

const componentsUser = { username: 'flux', password: 'components-p4ss' };
const fleetUser = { username: 'fleet-reader', password: 'fleet-p4ss' };
const digest = `sha256:${'e'.repeat(64)}`;

// Real registries, and the kube client's retries against the absent cluster: more than
// jest's 5 s on a loaded machine.
jest.setTimeout(30_000);

let componentsRegistry: TestRegistry;
let fleetRegistry: TestRegistry;

beforeAll(async () => {
  [componentsRegistry, fleetRegistry] = await Promise.all([
    startRegistry({ htpasswd: componentsUser }),
    startRegistry({ htpasswd: fleetUser }),
  ]);
}, 60_000);
afterAll(async () => {
  await Promise.all([componentsRegistry?.stop(), fleetRegistry?.stop()]);
}, 60_000);

function unreachableCluster(): KubeClient {
  const kc = new KubeConfig();
  kc.loadFromOptions({
    clusters: [{ name: 'c', server: 'http://127.0.0.1:1', skipTLSVerify: true }],
    users: [{ name: 'u', token: 't' }],
    contexts: [{ name: 'x', cluster: 'c', user: 'u' }],
    currentContext: 'x',
  });
  return new KubeClient(kc);
}

function recordingLogger(): ProgressLogger & { lines: string[] } {
  const lines: string[] = [];
  return {
    lines,
    step: (m) => lines.push(`► ${m}`),
    success: (m) => lines.push(`✔ ${m}`),
    failure: (m) => lines.push(`✗ ${m}`),
    waiting: (m) => lines.push(`◎ ${m}`),
  };
}

/** The phase's own steps, without the applier's report of the unreachable cluster. */
const steps = (lines: string[]) => lines.filter((l) => l.startsWith('►'));
const unreachable = /cannot reach http:\/\/127\.0\.0\.1:1 /;

const options = (extra: Partial<BootstrapOciOptions>) =>
  resolveBootstrapOptions({
    url: `oci://${componentsRegistry.host}/flux/components:production`,
    username: componentsUser.username,
    clusterUrl: `oci://${fleetRegistry.host}/fleet/cluster:production`,
    clusterUsername: fleetUser.username,
    clusterPath: 'production',
    allowInsecureHttp: true,
    timeout: '30s',
    ...extra,
  } as BootstrapOciOptions);

async function secretsPhase(
  extra: Partial<BootstrapOciOptions>,
  env: NodeJS.ProcessEnv,
): Promise<{ error: Error | undefined; lines: string[] }> {
  const resolved = options(extra);
  const logger = recordingLogger();
  const error = await runSecretsPhase(unreachableCluster(), resolved, {
    plan: planSync(resolved, digest),
    logger,
    env,
  }).then(
    () => undefined,
    (err: unknown) => err as Error,
  );
  return { error, lines: logger.lines };
}

describe('runSecretsPhase with a registry per artifact', () => {
  test('asks each registry with its own user; with both right it goes on to the cluster', async () => {
    const { error, lines } = await secretsPhase(
      {},
      { OCI_PASSWORD: componentsUser.password, OCI_CLUSTER_PASSWORD: fleetUser.password },
    );
    // Both registries accepted their user: what stops the phase is the absent cluster.
    expect({ steps: steps(lines), error: error?.message }).toEqual({
      steps: [
        `► checking the credentials for ${componentsRegistry.host}`,
        `► checking the credentials for ${fleetRegistry.host}`,
        '► applying Secret/flux-components, Secret/flux-system',
      ],
      error: expect.stringMatching(unreachable),
    });
  });

  test('the components password on the fleet registry is rejected there, before any write', async () => {
    const { error, lines } = await secretsPhase(
      {},
      { OCI_PASSWORD: componentsUser.password, OCI_CLUSTER_PASSWORD: componentsUser.password },
    );
    expect(error?.message).toMatch(
      new RegExp(
        `^registry ${fleetRegistry.host.replace(/\./g, '\\.')} rejected the credentials for user 'fleet-reader' \\(401\\)`,
      ),
    );
    expect(steps(lines)).toEqual([
      `► checking the credentials for ${componentsRegistry.host}`,
      `► checking the credentials for ${fleetRegistry.host}`,
    ]);
  });

  test('a wrong components password is rejected by the components registry first', async () => {
    const { error, lines } = await secretsPhase(
      {},
      { OCI_PASSWORD: 'not-the-password', OCI_CLUSTER_PASSWORD: fleetUser.password },
    );
    expect(error?.message).toMatch(
      new RegExp(
        `^registry ${componentsRegistry.host.replace(/\./g, '\\.')} rejected the credentials for user 'flux' \\(401\\)`,
      ),
    );
    expect(lines).toEqual([`► checking the credentials for ${componentsRegistry.host}`]);
  });

  test('no fleet user and another registry: the fleet registry is not asked, no Secret for it', async () => {
    const { error, lines } = await secretsPhase(
      { clusterUsername: undefined },
      { OCI_PASSWORD: componentsUser.password },
    );
    expect(error?.message).toMatch(unreachable);
    expect(steps(lines)).toEqual([
      `► checking the credentials for ${componentsRegistry.host}`,
      '► applying Secret/flux-components',
    ]);
  });

  test('Workload Identity: no registry is asked and nothing is written', async () => {
    const { error, lines } = await secretsPhase(
      {
        provider: 'aws',
        // ECR hosts, as the provider requires; none of them is asked.
        url: 'oci://123456789012.dkr.ecr.eu-west-1.amazonaws.com/flux/components:production',
        clusterUrl: 'oci://123456789012.dkr.ecr.eu-west-1.amazonaws.com/fleet/cluster:production',
        username: undefined,
        clusterUsername: undefined,
      },
      {},
    );
    expect(error).toBeUndefined();
    expect(lines).toEqual([]);
  });
});
