// The cloud logins' host checks (as Flux's fluxcd/pkg auth takes each cloud's registry
// hosts), the refusals that need no network, and that no cloud SDK loads at start-up.
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseEcrRegistry } from '../../../src/oci/registry/auth/aws-login.js';
import { acrScope } from '../../../src/oci/registry/auth/azure-login.js';
import { checkGcpRegistry } from '../../../src/oci/registry/auth/gcp-login.js';
import { cloudLogin } from '../../../src/oci/registry/auth/index.js';
import { UserError } from '../../../src/errors.js';
import { RegistryClient } from '../../../src/oci/registry/index.js';
import { runCli } from '../../support/cli.js';

describe('aws: ECR hosts', () => {
  test.each([
    ['123456789012.dkr.ecr.eu-west-1.amazonaws.com', 'eu-west-1', false],
    ['123456789012.dkr.ecr-fips.us-east-1.amazonaws.com', 'us-east-1', true],
    ['123456789012.dkr.ecr.us-gov-west-1.amazonaws.com', 'us-gov-west-1', false],
    ['123456789012.dkr.ecr-fips.us-gov-east-1.amazonaws.com', 'us-gov-east-1', true],
    ['123456789012.dkr.ecr.cn-north-1.amazonaws.com.cn', 'cn-north-1', false],
    ['123456789012.dkr.ecr.us-isob-east-1.sc2s.sgov.gov', 'us-isob-east-1', false],
    ['123456789012.dkr.ecr.us-iso-east-1.c2s.ic.gov', 'us-iso-east-1', false],
    ['123456789012.dkr.ecr.eu-isoe-west-1.cloud.adc-e.uk', 'eu-isoe-west-1', false],
    ['123456789012.dkr.ecr.us-isof-south-1.csp.hci.ic.gov', 'us-isof-south-1', false],
  ])('%s: region %s, FIPS %s', (host, region, fips) => {
    expect(parseEcrRegistry(host)).toEqual({ region, fips, public: false });
  });

  test('public.ecr.aws: ECR Public, whose token comes from us-east-1 (as Flux)', () => {
    expect(parseEcrRegistry('public.ecr.aws')).toEqual({
      region: 'us-east-1',
      fips: false,
      public: true,
    });
  });

  test.each([
    'ghcr.io',
    'fluxoci.azurecr.io',
    '123456789012.dkr.ecr.eu-west-1.amazonaws.com.evil.example',
    'evil.example/123456789012.dkr.ecr.eu-west-1.amazonaws.com',
    '123456789012.dkr.ecr.eu-west-1.amazonaws.com:443',
    '123456789012.dkr.ecr.eu-west-1.amazonaws.org',
    'public.ecr.aws.evil.example',
  ])('%s is refused with what to use instead', (host) => {
    expect(() => parseEcrRegistry(host)).toThrow(
      `provider aws: registry ${host} is not an Amazon ECR registry (<account>.dkr.ecr[-fips].<region>.amazonaws.com[.cn], a GovCloud or isolated partition's host, or public.ecr.aws): use the ECR repository's URL, or provider generic with credentials`,
    );
  });
});

describe('azure: ACR hosts and the Entra ID scope of their cloud', () => {
  test.each([
    ['fluxoci.azurecr.io', 'https://management.azure.com/.default'],
    ['fluxoci.azurecr.cn', 'https://management.chinacloudapi.cn/.default'],
    ['fluxoci.azurecr.us', 'https://management.usgovcloudapi.net/.default'],
    ['fluxoci.azurecr.de', 'https://management.azure.com/.default'],
  ])('%s: %s', (host, scope) => {
    expect(acrScope(host)).toBe(scope);
  });

  test.each(['azurecr.io', 'fluxoci.azurecr.io.evil.example', 'fluxoci.azurecr.io:443', 'ghcr.io'])(
    '%s is refused',
    (host) => {
      expect(() => acrScope(host)).toThrow(
        `provider azure: registry ${host} is not an Azure Container Registry`,
      );
    },
  );
});

describe('gcp: Artifact Registry and Container Registry hosts', () => {
  test.each([
    'gcr.io',
    'eu.gcr.io',
    'us.gcr.io',
    'europe-west1-docker.pkg.dev',
    'us-docker.pkg.dev',
  ])('%s is taken', (host) => {
    expect(() => checkGcpRegistry(host)).not.toThrow();
  });

  test.each([
    'docker.pkg.dev',
    'evilgcr.io',
    'gcr.io.evil.example',
    'europe-west1-docker.pkg.dev:443',
  ])('%s is refused', (host) => {
    expect(() => checkGcpRegistry(host)).toThrow(
      `provider gcp: registry ${host} is not a Google registry`,
    );
  });
});

test('generic needs no login; a cloud login and credentials together are refused', () => {
  expect(cloudLogin('generic', 'ghcr.io')).toBeUndefined();
  expect(
    () =>
      new RegistryClient('fluxoci.azurecr.io', {
        provider: 'azure',
        credentials: { username: 'u', password: 'p' },
      }),
  ).toThrow(
    "provider azure logs in with the cloud's identity: drop the credentials for registry fluxoci.azurecr.io, or use provider generic",
  );
});

test('an env option with another cloud identity than the process is refused, naming only the variable', () => {
  const ecr = '123456789012.dkr.ecr.eu-west-1.amazonaws.com';
  const other = { ...process.env, AWS_ACCESS_KEY_ID: 'AKIAANOTHERIDENTITY', HTTPS_PROXY: '' };
  let error: unknown;
  try {
    new RegistryClient(ecr, { provider: 'aws', env: other });
  } catch (err) {
    error = err;
  }
  expect(error).toBeInstanceOf(UserError);
  expect((error as Error).message).toBe(
    "provider aws: the env option sets AWS_ACCESS_KEY_ID otherwise than process.env, but the cloud's SDK reads its identity from process.env only and its tokens serve the whole process: set it in process.env, or run each cloud identity in its own process",
  );
  // Another cloud's variables, the proxy settings and a copy of process.env are fine.
  expect(
    () =>
      new RegistryClient(ecr, { provider: 'aws', env: { ...process.env, AZURE_CLIENT_ID: 'x' } }),
  ).not.toThrow();
  expect(
    () => new RegistryClient('fluxoci.azurecr.io', { provider: 'azure', env: other }),
  ).not.toThrow();
  expect(() => new RegistryClient('ghcr.io', { env: other })).not.toThrow();
});

test('the artifact commands refuse --provider with credential flags, naming the flag', async () => {
  const out = await runCli([
    'list',
    'artifacts',
    'oci://123456789012.dkr.ecr.eu-west-1.amazonaws.com/flux/app',
    '--provider',
    'aws',
    '--creds',
    'AWS:secret-value',
  ]);
  expect(out.code).toBe(1);
  expect(out.stderr).toBe(
    "✗ --provider aws logs in with the cloud's identity: drop --creds, or use --provider generic\n",
  );
  expect(out.stderr).not.toContain('secret-value');
});

test('no cloud SDK is imported statically: each loads when its provider logs in', () => {
  const sdk = /@aws-sdk\/|@azure\/identity|google-auth-library/;
  const offenders: string[] = [];
  const walk = (dir: string): void => {
    for (const entry of readdirSync(dir, { withFileTypes: true })) {
      const path = join(dir, entry.name);
      if (entry.isDirectory()) walk(path);
      else if (path.endsWith('.ts')) {
        for (const line of readFileSync(path, 'utf8').split('\n')) {
          if (sdk.test(line) && !/import\(\s*'[^']+'\s*\)/.test(line))
            offenders.push(`${path}: ${line.trim()}`);
        }
      }
    }
  };
  walk(join(import.meta.dirname, '..', '..', '..', 'src'));
  expect(offenders).toEqual([]);
});
