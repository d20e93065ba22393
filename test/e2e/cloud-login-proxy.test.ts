// `--provider aws|azure|gcp` behind an HTTP proxy: each cloud's token API (ECR's
// GetAuthorizationToken, Entra ID, Google's OAuth2 token endpoint) is reached through the
// REAL CONNECT proxy of HTTPS_PROXY, as the registry itself is, and directly when NO_PROXY
// names it (read as Go reads it: a domain covers its subdomains). The token APIs and the
// registries' host names are FAKES (test/support/cloud/fake-cloud.ts: the clouds cannot be
// reached from here) in front of the REAL docker-registry; the names resolve to the fakes'
// loopback address through the test-only preload, and the proxy maps them itself. The
// proxy decides on the host NAME, as Go does: only loopback names and addresses (localhost,
// 127.0.0.0/8, ::1) are never proxied.
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { startConnectProxy, type ConnectProxy } from '../support/connect-proxy.js';
import {
  AWS_STS_HOSTS,
  ECR_API_HOST,
  ECR_PUBLIC_API_HOST,
  ENTRA_HOST,
  GOOGLE_STS_HOST,
  PUBLIC_ECR_HOST,
  FRONT_HOSTS,
  GOOGLE_TOKEN_HOST,
  startFakeCloud,
  type Cloud,
  type FakeCloud,
} from '../support/cloud/fake-cloud.js';
import { runNode } from '../support/cloud/run-cli.js';
import { freePort } from '../support/ports.js';

const LIST_ARTIFACTS = resolve(import.meta.dirname, '..', 'support', 'cloud', 'list-artifacts.mjs');

let cloud: FakeCloud;
let proxy: ConnectProxy;
let work: string;
let manifests: string;

beforeAll(async () => {
  cloud = await startFakeCloud();
  proxy = await startConnectProxy({
    hosts: Object.fromEntries(FRONT_HOSTS.map((host) => [host, cloud.frontAddress])),
    onlyHosts: true,
  });
  work = mkdtempSync(join(tmpdir(), 'flux-oci-cloud-proxy-'));
  manifests = join(work, 'manifests');
  mkdirSync(manifests);
  writeFileSync(
    join(manifests, 'app.yaml'),
    'apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: app\n',
  );
}, 60_000);

afterAll(async () => {
  await proxy?.stop();
  await cloud?.stop();
  if (work) rmSync(work, { recursive: true, force: true });
});

/**
 * Each cloud's token API host, and the NO_PROXY entry naming it: Entra ID's and Google's as
 * their domain (Go's reading, which the SDKs' own NO_PROXY matching does not share); ECR's
 * API by its name, as amazonaws.com would cover the registry too.
 */
const TOKEN_API: Readonly<Record<Cloud, { host: string; domain: string }>> = {
  aws: { host: ECR_API_HOST, domain: ECR_API_HOST },
  azure: { host: ENTRA_HOST, domain: 'microsoftonline.com' },
  gcp: { host: GOOGLE_TOKEN_HOST, domain: 'googleapis.com' },
};

/**
 * The cloud identity of a CI job, with each cloud's real API host (no endpoint override):
 * AWS keys, an Entra ID client secret, a Google service account key.
 */
function identityEnv(provider: Cloud): NodeJS.ProcessEnv {
  if (provider === 'gcp') return cloud.serviceAccountEnv();
  const env = cloud.env(provider);
  delete env.AWS_ENDPOINT_URL_ECR;
  delete env.AWS_ENDPOINT_URL_ECR_PUBLIC;
  return env;
}

function loginCalls(provider: Cloud): number {
  return provider === 'aws'
    ? cloud.calls.ecr.length
    : provider === 'azure'
      ? cloud.calls.entra.length
      : cloud.calls.google.length;
}

describe.each<Cloud>(['aws', 'azure', 'gcp'])('--provider %s behind HTTPS_PROXY', (provider) => {
  const registry = (): string => cloud.hosts[provider];
  const api = TOKEN_API[provider];

  test("the cloud's token API goes through the proxy, as the registry does; push and pull work", async () => {
    const env = { ...identityEnv(provider), HTTPS_PROXY: proxy.url };
    const url = `oci://${registry()}/proxied/${provider}-app:v1`;
    const connects = proxy.connects.length;
    const logins = loginCalls(provider);
    const push = await runNode(
      [
        ...['push', 'artifact', url, '--path', manifests, '--source', 's', '--revision', 'r'],
        ...['--provider', provider],
      ],
      env,
    );
    expect(push.stderr).toContain('✔ artifact successfully pushed');
    expect(push.code).toBe(0);
    const out = join(work, `${provider}-pulled`);
    mkdirSync(out);
    const pull = await runNode(
      ['pull', 'artifact', url, '--output', out, '--provider', provider],
      env,
    );
    expect(pull.stderr).toContain('✔');
    expect(pull.code).toBe(0);
    expect(readFileSync(join(out, 'app.yaml'), 'utf8')).toContain('name: app');

    // One login per process, through the proxy's tunnel to the token API; the registry too.
    expect(loginCalls(provider) - logins).toBe(2);
    const tunnels = proxy.connects.slice(connects);
    expect(tunnels.filter((t) => t === `${api.host}:443`)).toHaveLength(2);
    expect(tunnels).toContain(`${registry()}:443`);
    expect(tunnels.every((t) => t === `${api.host}:443` || t === `${registry()}:443`)).toBe(true);
  }, 120_000);

  test(`NO_PROXY naming the token API's domain (${api.domain}) reaches it directly; the registry still through the proxy`, async () => {
    const env = {
      ...identityEnv(provider),
      HTTPS_PROXY: proxy.url,
      // A domain without a leading dot covers its subdomains, in Go as here.
      NO_PROXY: `${api.domain},127.0.0.1`,
    };
    const connects = proxy.connects.length;
    const logins = loginCalls(provider);
    const list = await runNode(
      ['list', 'artifacts', `oci://${registry()}/proxied/${provider}-app`, '--provider', provider],
      env,
    );
    expect(list.stderr).toBe('');
    expect(list.stdout).toContain(`${registry()}/proxied/${provider}-app:v1`);
    expect(list.code).toBe(0);
    expect(loginCalls(provider) - logins).toBe(1);
    expect(proxy.connects.slice(connects)).toEqual([`${registry()}:443`]);
  }, 60_000);

  test("a library caller's env option decides the proxy, not process.env", async () => {
    const dead = `http://127.0.0.1:${await freePort()}`;
    const list = async (processEnv: NodeJS.ProcessEnv, option: NodeJS.ProcessEnv) => {
      const out = await runNode(
        [`oci://${registry()}/proxied/${provider}-app`, provider, JSON.stringify(option)],
        processEnv,
        LIST_ARTIFACTS,
      );
      return JSON.parse(out.stdout) as { threw: boolean; urls?: string[]; message?: string };
    };
    const expected = { threw: false, urls: [`${registry()}/proxied/${provider}-app:v1`] };

    // process.env names a proxy that is not there; the option names the real one.
    let connects = proxy.connects.length;
    expect(
      await list({ ...identityEnv(provider), HTTPS_PROXY: dead }, { HTTPS_PROXY: proxy.url }),
    ).toEqual(expected);
    expect(proxy.connects.slice(connects)).toContain(`${api.host}:443`);

    // process.env names the proxy; the option none: the SDK goes directly too.
    connects = proxy.connects.length;
    expect(
      await list({ ...identityEnv(provider), HTTPS_PROXY: proxy.url }, { HTTPS_PROXY: '' }),
    ).toEqual(expected);
    expect(proxy.connects.slice(connects)).toEqual([]);
  }, 60_000);
});

/** An environment without the AWS endpoint overrides: the SDK goes to AWS's own hosts. */
function withoutAwsEndpoints(env: NodeJS.ProcessEnv): NodeJS.ProcessEnv {
  const copy = { ...env };
  for (const name of Object.keys(copy)) if (name.startsWith('AWS_ENDPOINT_URL')) delete copy[name];
  return copy;
}

describe.each([
  {
    name: 'aws: a web identity (IRSA, GitHub OIDC) through STS, then ECR',
    provider: 'aws' as Cloud,
    registry: () => cloud.hosts.aws,
    env: () => withoutAwsEndpoints(cloud.federatedEnv('aws')),
    apis: [[ECR_API_HOST], AWS_STS_HOSTS],
    noProxy: `${ECR_API_HOST},${AWS_STS_HOSTS.join(',')}`,
  },
  {
    name: 'aws: ECR Public through its own API in us-east-1',
    provider: 'aws' as Cloud,
    registry: () => PUBLIC_ECR_HOST,
    env: () => withoutAwsEndpoints(cloud.env('aws')),
    apis: [[ECR_PUBLIC_API_HOST]],
    noProxy: ECR_PUBLIC_API_HOST,
  },
  {
    name: 'azure: workload identity (a federated token file) through Entra ID',
    provider: 'azure' as Cloud,
    registry: () => cloud.hosts.azure,
    env: () => cloud.federatedEnv('azure'),
    apis: [[ENTRA_HOST]],
    noProxy: 'microsoftonline.com',
  },
  {
    name: "gcp: workload identity federation through Google's STS",
    provider: 'gcp' as Cloud,
    registry: () => cloud.hosts.gcp,
    env: () => cloud.federatedEnv('gcp'),
    apis: [[GOOGLE_STS_HOST]],
    noProxy: 'googleapis.com',
  },
])('$name', ({ provider, registry, env, apis, noProxy }) => {
  const push = (repo: string, extra: NodeJS.ProcessEnv) =>
    runNode(
      [
        ...['push', 'artifact', `oci://${registry()}/${repo}:v1`, '--path', manifests],
        ...['--source', 's', '--revision', 'r', '--provider', provider],
      ],
      { ...env(), HTTPS_PROXY: proxy.url, ...extra },
    );

  test('HTTPS_PROXY: the token exchange is tunnelled through the proxy', async () => {
    const connects = proxy.connects.length;
    const out = await push('federated/proxied', {});
    expect(out.stderr).toContain('✔ artifact successfully pushed');
    expect(out.code).toBe(0);
    // The registry and each token API (STS by its global or regional name), nothing else.
    const tunnels = proxy.connects.slice(connects);
    expect(tunnels).toContain(`${registry()}:443`);
    for (const hosts of apis) {
      expect(tunnels.some((t) => hosts.some((host) => t === `${host}:443`))).toBe(true);
    }
    for (const tunnel of tunnels) {
      expect([registry(), ...apis.flat()].map((host) => `${host}:443`)).toContain(tunnel);
    }
  }, 60_000);

  test(`NO_PROXY=${noProxy}: the token exchange goes directly`, async () => {
    const connects = proxy.connects.length;
    const out = await push('federated/direct', { NO_PROXY: noProxy });
    expect(out.stderr).toContain('✔ artifact successfully pushed');
    expect(out.code).toBe(0);
    expect(new Set(proxy.connects.slice(connects))).toEqual(new Set([`${registry()}:443`]));
  }, 60_000);
});

test('gcp: the metadata server is reached directly by its name, whatever HTTP_PROXY and HTTPS_PROXY say', async () => {
  // metadata.google.internal resolves (test preload) to the fake metadata server; the proxy
  // does not know the name, so a proxied request would fail.
  const port = cloud.metadataHost.split(':')[1];
  const base = cloud.env('gcp');
  const env = {
    ...base,
    FLUX_OCI_TEST_HOSTS: `${base.FLUX_OCI_TEST_HOSTS},metadata.google.internal=127.0.0.1`,
    GCE_METADATA_HOST: `metadata.google.internal:${port}`,
    HTTPS_PROXY: proxy.url,
    HTTP_PROXY: proxy.url,
  };
  const before = { connects: proxy.connects.length, forwarded: proxy.forwarded.length };
  const logins = cloud.calls.google.length;
  const list = await runNode(
    ['list', 'artifacts', `oci://${cloud.hosts.gcp}/proxied/gcp-app`, '--provider', 'gcp'],
    env,
  );
  expect(list.stderr).toBe('');
  expect(list.code).toBe(0);
  expect(cloud.calls.google.slice(logins)).toEqual([
    { scope: expect.stringContaining('cloud-platform') as unknown, ok: true },
  ]);
  expect(proxy.forwarded.slice(before.forwarded)).toEqual([]);
  expect(proxy.connects.slice(before.connects)).toEqual([`${cloud.hosts.gcp}:443`]);
}, 60_000);
