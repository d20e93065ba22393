// `--provider aws|azure|gcp` through the clouds' own SDKs (@aws-sdk/client-ecr with the
// default credential chain, @azure/identity's DefaultAzureCredential with ACR's token
// exchange, google-auth-library's application default credentials), against FAKES of the
// clouds' token endpoints (test/support/cloud/fake-cloud.ts: the clouds cannot be reached
// from here) in front of the REAL docker-registry with token auth. The registry host names
// are the clouds' own, resolved to a loopback address by a test-only preload, with TLS
// certificates made for them.
import { generateKeyPairSync } from 'node:crypto';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import {
  AWS_ACCESS_KEY,
  AWS_DENIED_ACCESS_KEY,
  AWS_ROLE,
  PUBLIC_ECR_HOST,
  startFakeCloud,
  type Cloud,
  type FakeCloud,
} from '../support/cloud/fake-cloud.js';
import { runNode, type ChildResult } from '../support/cloud/run-cli.js';

const STEPS = resolve(import.meta.dirname, '..', 'support', 'cloud', 'steps.mjs');
const LIST_ARTIFACTS = resolve(import.meta.dirname, '..', 'support', 'cloud', 'list-artifacts.mjs');
const CLOUDS: readonly Cloud[] = ['aws', 'gcp', 'azure'];

let cloud: FakeCloud;
let work: string;
let manifests: string;
const outputs: ChildResult[] = [];

beforeAll(async () => {
  cloud = await startFakeCloud();
  work = mkdtempSync(join(tmpdir(), 'flux-oci-cloud-login-'));
  manifests = join(work, 'manifests');
  mkdirSync(manifests);
  writeFileSync(
    join(manifests, 'app.yaml'),
    'apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: app\ndata:\n  story: "2"\n',
  );
}, 60_000);

afterAll(async () => {
  // No credential any fake issued was ever printed by any run.
  const secrets = cloud.issuedSecrets();
  expect(secrets.length).toBeGreaterThan(0);
  for (const out of outputs) {
    for (const secret of secrets) {
      expect(out.stdout).not.toContain(secret);
      expect(out.stderr).not.toContain(secret);
    }
  }
  await cloud.stop();
  rmSync(work, { recursive: true, force: true });
});

async function flux(args: string[], env: NodeJS.ProcessEnv): Promise<ChildResult> {
  const out = await runNode(args, env);
  outputs.push(out);
  return out;
}

/** `push artifact <url>` of the manifests with `--provider`. */
function pushArgs(url: string, provider: Cloud, source = 's', revision = 'r'): string[] {
  return [
    'push',
    'artifact',
    url,
    '--path',
    manifests,
    '--source',
    source,
    '--revision',
    revision,
    '--provider',
    provider,
  ];
}

/** The one error line a failing run ends with (after any progress line), no stack trace. */
function failureLine(out: ChildResult): string {
  expect(out.code).toBe(1);
  expect(out.stdout).toBe('');
  const lines = out.stderr.trim().split('\n');
  expect(lines.filter((line) => line.startsWith('✗'))).toEqual([lines.at(-1)]);
  expect(lines.filter((line) => !line.startsWith('►') && !line.startsWith('✗'))).toEqual([]);
  return lines.at(-1)!;
}

describe.each(CLOUDS)('--provider %s', (provider) => {
  const host = (): string => cloud.hosts[provider];
  const cloudCalls = (): number =>
    provider === 'aws'
      ? cloud.calls.ecr.length
      : provider === 'gcp'
        ? cloud.calls.google.length
        : cloud.calls.exchange.length;

  test('push, pull, tag, list and diff artifact log in with the cloud identity', async () => {
    const env = cloud.env(provider);
    const url = `oci://${host()}/flux/${provider}-app`;
    const before = { cloud: cloudCalls(), realm: cloud.calls.realm.length };

    const push = await flux(
      [
        ...pushArgs(
          `${url}:v1`,
          provider,
          'git@example.com:fleet',
          'main@sha1:0123456789abcdef0123456789abcdef01234567',
        ),
        '-o',
        'json',
      ],
      env,
    );
    expect(push.stderr).toBe('');
    expect(push.code).toBe(0);
    const digest = (JSON.parse(push.stdout) as { digest: string }).digest;
    expect(digest).toMatch(/^sha256:[0-9a-f]{64}$/);

    const out = join(work, `${provider}-pulled`);
    mkdirSync(out);
    const pull = await flux(
      ['pull', 'artifact', `${url}:v1`, '--output', out, '--provider', provider],
      env,
    );
    expect(pull.code).toBe(0);
    expect(readFileSync(join(out, 'app.yaml'), 'utf8')).toContain('story: "2"');

    const tag = await flux(
      ['tag', 'artifact', `${url}:v1`, '--tag', 'production', '--provider', provider],
      env,
    );
    expect(tag.code).toBe(0);

    const list = await flux(['list', 'artifacts', url, '--provider', provider, '-o', 'json'], env);
    expect(list.code).toBe(0);
    const listed = (JSON.parse(list.stdout) as { url: string; digest: string }[]).map(
      (a) => `${a.url}@${a.digest}`,
    );
    expect(listed.sort()).toEqual(
      [
        `${host()}/flux/${provider}-app:production@${digest}`,
        `${host()}/flux/${provider}-app:v1@${digest}`,
      ].sort(),
    );

    const diff = await flux(
      ['diff', 'artifact', `${url}:production`, '--path', manifests, '--provider', provider],
      env,
    );
    expect(diff.stderr).toContain('no changes');
    expect(diff.code).toBe(0);

    // Each process logged in through the cloud once, and the registry's realm took the
    // exchanged credentials (never a refusal) under the cloud's user name.
    expect(cloudCalls() - before.cloud).toBe(5);
    const realm = cloud.calls.realm.slice(before.realm);
    expect(realm.length).toBeGreaterThanOrEqual(5);
    expect(realm.every((r) => r.ok)).toBe(true);
    if (provider === 'aws') {
      expect(cloud.calls.ecr.at(-1)).toMatchObject({ region: 'eu-west-1', service: 'ecr' });
    }
    if (provider === 'azure') {
      expect(cloud.calls.entra.at(-1)?.scope).toBe('https://management.azure.com/.default');
    }
    if (provider === 'gcp') {
      expect(cloud.calls.google.at(-1)?.scope).toContain(
        'https://www.googleapis.com/auth/cloud-platform',
      );
    }
  }, 120_000);

  test('one process keeps its token, renews it before it expires, and again when the registry refuses it', async () => {
    const env = cloud.env(provider);
    const url = `oci://${host()}/flux/${provider}-renew`;
    const push = (repo: string): { argv: string[] } => ({
      argv: pushArgs(`${url}-${repo}:v1`, provider),
    });
    // No waiting for expiry: the step process and the fake clouds move their clocks past the
    // first token's lifetime (1 h, renewal due 5 min before) together.
    const pastExpiryMs = 3600_000 + 60_000;
    const before = { cloud: cloudCalls(), realm: cloud.calls.realm.length };
    const steps = [
      push('a'),
      push('b'), // the same token: no new login
      { post: cloud.clockUrl(pastExpiryMs) },
      { advanceMs: pastExpiryMs }, // the token has expired by now
      push('c'), // renewed before use: the registry never sees the expired one
      { post: cloud.revokeUrl },
      push('d'), // refused by the registry: renewed, sent again
    ];
    let out: ChildResult;
    try {
      out = await runNode([JSON.stringify(steps)], env, STEPS);
      outputs.push(out);
    } finally {
      cloud.clockOffsetMs = 0;
    }
    expect(out.stderr).toContain('STEP 0 EXIT 0');
    expect(out.stderr).toContain('STEP 1 EXIT 0');
    expect(out.stderr).toContain('STEP 4 EXIT 0');
    expect(out.stderr).toContain('STEP 6 EXIT 0');
    expect(cloudCalls() - before.cloud).toBe(3);
    const refusals = cloud.calls.realm.slice(before.realm).filter((r) => !r.ok);
    expect(refusals.map((r) => r.reason)).toEqual(['revoked']);
  }, 120_000);

  test('the registry refusing fresh credentials: one line naming the provider, the host and what to check', async () => {
    cloud.refuseRegistryLogins = true;
    let out: ChildResult;
    try {
      out = await flux(
        ['list', 'artifacts', `oci://${host()}/flux/${provider}-app`, '--provider', provider],
        cloud.env(provider),
      );
    } finally {
      cloud.refuseRegistryLogins = false;
    }
    const line = failureLine(out);
    expect(line).toContain(`provider ${provider}: registry ${host()} refused`);
    expect(line).toContain('also with new credentials');
    expect(line).toMatch(
      provider === 'aws'
        ? /ecr:BatchGetImage/
        : provider === 'azure'
          ? /AcrPull/
          : /artifactregistry\.reader/,
    );
  }, 60_000);

  test("the registry refusing fresh credentials, to a library caller: a RegistryResponseError with the status and the registry's code", async () => {
    cloud.refuseRegistryLogins = true;
    let out: ChildResult;
    try {
      out = await runNode(
        [`oci://${host()}/flux/${provider}-app`, provider],
        cloud.env(provider),
        LIST_ARTIFACTS,
      );
      outputs.push(out);
    } finally {
      cloud.refuseRegistryLogins = false;
    }
    const thrown = JSON.parse(out.stdout) as {
      threw: boolean;
      registryResponseError: boolean;
      status: number;
      code: string;
      message: string;
    };
    // The token realm's own refusal: 401 with {"errors":[{"code":"UNAUTHORIZED",...}]}.
    expect(thrown).toMatchObject({
      threw: true,
      registryResponseError: true,
      status: 401,
      code: 'UNAUTHORIZED',
    });
    expect(thrown.message).toMatch(
      new RegExp(
        `^provider ${provider}: registry ${host().replace(/\./g, '\\.')} refused .* \\(401\\), also with new credentials: `,
      ),
    );
  }, 60_000);

  test('no cloud identity in the environment: one line saying what to configure', async () => {
    const out = await flux(
      ['list', 'artifacts', `oci://${host()}/flux/${provider}-app`, '--provider', provider],
      cloud.bareEnv(),
    );
    const line = failureLine(out);
    const expected = {
      aws: /^✗ provider aws: no AWS credentials to log in to registry 123456789012\.dkr\.ecr\.eu-west-1\.amazonaws\.com \(.*\): configure the AWS default credential chain: AWS_ACCESS_KEY_ID/,
      gcp: /^✗ provider gcp: no Google credentials to log in to registry europe-west1-docker\.pkg\.dev \(.*\): configure application default credentials: GOOGLE_APPLICATION_CREDENTIALS/,
      azure:
        /^✗ provider azure: no Entra ID token to log in to registry fluxoci\.azurecr\.io \(.*\): configure DefaultAzureCredential: AZURE_TENANT_ID/,
    }[provider];
    expect(line).toMatch(expected);
  }, 60_000);

  test('a registry host of another cloud: one line, before any login', async () => {
    const other = CLOUDS.find((c) => c !== provider)!;
    const before = {
      ecr: cloud.calls.ecr.length,
      google: cloud.calls.google.length,
      entra: cloud.calls.entra.length,
    };
    const out = await flux(
      [
        'tag',
        'artifact',
        `oci://${cloud.hosts[other]}/flux/app:v1`,
        '--tag',
        'never',
        '--provider',
        provider,
      ],
      cloud.env(provider),
    );
    const line = failureLine(out);
    expect(out.stderr).toBe(`${line}\n`); // no progress line before it
    expect(line).toContain(`provider ${provider}: registry ${cloud.hosts[other]} is not`);
    expect({
      ecr: cloud.calls.ecr.length,
      google: cloud.calls.google.length,
      entra: cloud.calls.entra.length,
    }).toEqual(before);
  }, 60_000);
});

test('every command taking --provider refuses a host of no cloud before printing anything', async () => {
  const publicKey = join(work, 'cosign.pub');
  const { publicKey: pem } = generateKeyPairSync('ec', { namedCurve: 'P-256' });
  writeFileSync(publicKey, pem.export({ type: 'spki', format: 'pem' }));
  const url = 'oci://ghcr.io/org/app:v1';
  const commands = [
    ['push', 'artifact', url, '--path', manifests, '--source', 's', '--revision', 'r'],
    ['pull', 'artifact', url, '--output', work],
    ['tag', 'artifact', url, '--tag', 'never'],
    ['diff', 'artifact', url, '--path', manifests],
    ['list', 'artifacts', 'oci://ghcr.io/org/app'],
    ['verify', 'artifact', url, '--key', publicKey],
    ['bootstrap', 'oci', '--url', url],
    ['upgrade', '--url', url],
  ];
  for (const args of commands) {
    const out = await flux([...args, '--provider', 'aws'], cloud.env('aws'));
    expect({ args, code: out.code, stdout: out.stdout, stderr: out.stderr }).toEqual({
      args,
      code: args[0] === 'diff' ? 2 : 1, // diff: 1 means "differs"
      stdout: '',
      stderr: expect.stringMatching(
        /^✗ provider aws: registry ghcr\.io is not an Amazon ECR registry \(.*\): use the ECR repository's URL, or provider generic with credentials\n$/,
      ) as unknown,
    });
  }
}, 60_000);

test('aws: ECR denying GetAuthorizationToken to the identity', async () => {
  const env = { ...cloud.env('aws'), AWS_ACCESS_KEY_ID: AWS_DENIED_ACCESS_KEY };
  const out = await flux(
    ['list', 'artifacts', `oci://${cloud.hosts.aws}/flux/app`, '--provider', 'aws'],
    env,
  );
  expect(failureLine(out)).toMatch(
    /^✗ provider aws: ECR refused GetAuthorizationToken for registry 123456789012\.dkr\.ecr\.eu-west-1\.amazonaws\.com in eu-west-1 \(AccessDeniedException: User: arn:aws:iam::123456789012:user\/ci is not authorized .*\): allow ecr:GetAuthorizationToken for the identity/,
  );
  expect(cloud.calls.ecr.at(-1)?.accessKey).toBe(AWS_DENIED_ACCESS_KEY);
}, 60_000);

test('azure: Entra ID refusing the client secret', async () => {
  const env = { ...cloud.env('azure'), AZURE_CLIENT_SECRET: 'not-the-secret' };
  const out = await flux(
    ['list', 'artifacts', `oci://${cloud.hosts.azure}/flux/app`, '--provider', 'azure'],
    env,
  );
  expect(failureLine(out)).toMatch(
    /^✗ provider azure: no Entra ID token to log in to registry fluxoci\.azurecr\.io \(.*\): configure DefaultAzureCredential/,
  );
}, 60_000);

test('gcp: the metadata server refusing the access token', async () => {
  cloud.refuseGoogleTokens = true;
  let out: ChildResult;
  try {
    out = await flux(
      ['list', 'artifacts', `oci://${cloud.hosts.gcp}/flux/app`, '--provider', 'gcp'],
      cloud.env('gcp'),
    );
  } finally {
    cloud.refuseGoogleTokens = false;
  }
  expect(failureLine(out)).toMatch(
    /^✗ provider gcp: Google refused an access token for registry europe-west1-docker\.pkg\.dev \(.*\): check the application default credentials/,
  );
}, 60_000);

test("aws: a CI job's web identity (IRSA, GitHub OIDC federation) through STS, no secret", async () => {
  const before = { sts: cloud.calls.sts.length, ecr: cloud.calls.ecr.length };
  const push = await flux(
    pushArgs(`oci://${cloud.hosts.aws}/flux/federated:v1`, 'aws'),
    cloud.federatedEnv('aws'),
  );
  expect(push.stderr).toContain('✔ artifact successfully pushed');
  expect(push.code).toBe(0);
  expect(cloud.calls.sts.slice(before.sts)).toEqual([{ roleArn: AWS_ROLE, ok: true }]);
  // ECR was called with the role's temporary keys from STS.
  const ecr = cloud.calls.ecr.slice(before.ecr);
  expect(ecr).toHaveLength(1);
  expect(ecr[0].accessKey).toMatch(/^ASIA/);
}, 60_000);

test('azure: workload identity (a federated token file, no secret) through Entra ID', async () => {
  const before = cloud.calls.entra.length;
  const push = await flux(
    pushArgs(`oci://${cloud.hosts.azure}/flux/federated:v1`, 'azure'),
    cloud.federatedEnv('azure'),
  );
  expect(push.stderr).toContain('✔ artifact successfully pushed');
  expect(push.code).toBe(0);
  expect(cloud.calls.entra.slice(before).map((c) => c.proof)).toEqual(['assertion']);
}, 60_000);

test('aws: ECR Public (public.ecr.aws) through its own API in us-east-1', async () => {
  const env = cloud.env('aws');
  const before = cloud.calls.ecr.length;
  const url = `oci://${PUBLIC_ECR_HOST}/fluxoci/app`;
  const push = await flux(pushArgs(`${url}:v1`, 'aws'), env);
  expect(push.stderr).toContain(
    `✔ artifact successfully pushed to ${PUBLIC_ECR_HOST}/fluxoci/app@sha256:`,
  );
  expect(push.code).toBe(0);
  const list = await flux(['list', 'artifacts', url, '--provider', 'aws', '-o', 'json'], env);
  expect(list.code).toBe(0);
  expect((JSON.parse(list.stdout) as { url: string }[]).map((a) => a.url)).toEqual([
    `${PUBLIC_ECR_HOST}/fluxoci/app:v1`,
  ]);
  expect(cloud.calls.ecr.slice(before)).toEqual([
    { accessKey: AWS_ACCESS_KEY, region: 'us-east-1', service: 'ecr-public' },
    { accessKey: AWS_ACCESS_KEY, region: 'us-east-1', service: 'ecr-public' },
  ]);
}, 60_000);
