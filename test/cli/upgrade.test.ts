import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parse } from 'yaml';
import { packComponents } from '../../src/bootstrap/build-components.js';
import { resolveBootstrapOptions } from '../../src/bootstrap/options/resolve-options.js';
import { pushArtifact } from '../../src/oci/index.js';
import { runCli, type CliOptions, type CliResult } from '../support/cli.js';
import { startRegistry, type TestRegistry } from '../support/registry.js';

const bundle = join(dirname(fileURLToPath(import.meta.url)), '..', 'fixtures', 'flux-bundle');
const user = { username: 'ci', password: 'cli-upgrade-s3cret' };

/** Runs `flux-oci upgrade <args>` in this process with the given stdin and environment. */
function upgrade(args: string[], options?: CliOptions): Promise<CliResult> {
  return runCli(['upgrade', ...args], options);
}

describe('flux-oci upgrade against a TLS registry with basic auth', () => {
  let registry: TestRegistry;
  let url: string;
  let flags: string[];
  let bootstrapped: string;
  let authDir: string;
  let authFile: string;

  beforeAll(async () => {
    registry = await startRegistry({ tls: true, htpasswd: user });
    authDir = mkdtempSync(join(tmpdir(), 'upgrade-cli-'));
    authFile = join(authDir, 'auth.json');
    const auth = Buffer.from(`${user.username}:${user.password}`).toString('base64');
    writeFileSync(authFile, JSON.stringify({ auths: { [registry.host]: { auth } } }));
    url = `oci://${registry.host}/platform/flux:production`;
    flags = [
      `--url=${url}`,
      `--username=${user.username}`,
      `--ca-file=${registry.caFile}`,
      `--manifests=${bundle}`,
    ];
    const packed = await packComponents(
      resolveBootstrapOptions({ url, manifests: bundle, version: 'v2.8.0' }),
    );
    bootstrapped = (
      await pushArtifact(url, packed.artifact, {
        credentials: user,
        caFile: registry.caFile,
        useAuthFile: false,
      })
    ).digest;
  });
  afterAll(async () => {
    await registry?.stop();
    rmSync(authDir, { recursive: true, force: true });
  });

  /** The digest the tag points at: the sha256 of the manifest skopeo reads. */
  function tagDigest(): string {
    const raw = execFileSync('skopeo', [
      'inspect',
      '--raw',
      '--tls-verify=false',
      `--authfile=${authFile}`,
      `docker://${url.slice('oci://'.length)}`,
    ]);
    return `sha256:${createHash('sha256').update(raw).digest('hex')}`;
  }

  // The tests run in order: the wrong password and the refusals first, on the bootstrapped tag.
  test('a wrong password exits 1 with the registry’s answer, no stack trace, and the tag stays', async () => {
    const result = await upgrade([...flags, '--version=v2.9.5', '--password-stdin'], {
      stdin: 'not-the-password\n',
    });
    expect(result.code).toBe(1);
    expect(result.stderr).toContain(
      `✗ registry ${registry.host} rejected the credentials for user 'ci' (401)`,
    );
    expect(result.stderr).not.toMatch(/\n\s+at /);
    expect(result.stdout).toBe('');
    expect(tagDigest()).toBe(bootstrapped);
  });

  test('a user name without a password says where the password goes', async () => {
    const result = await upgrade([...flags, '--version=v2.9.5']);
    expect(result.code).toBe(1);
    expect(result.stderr).toBe(
      "✗ no password for --username (username) 'ci': set OCI_PASSWORD or pipe it to --password-stdin\n",
    );
  });

  test('the password cannot be given as an argument', async () => {
    const result = await upgrade([...flags, `--password=${user.password}`]);
    expect(result.code).toBe(1);
    expect(result.stderr).toBe(
      '✗ flux-oci upgrade takes no --password: other users can read a command line; pipe the password to --password-stdin or set OCI_PASSWORD\n',
    );
    expect(tagDigest()).toBe(bootstrapped);
  });

  test('a missing tag exits 1 naming the artifact', async () => {
    const result = await upgrade(
      [...flags.slice(1), `--url=oci://${registry.host}/platform/flux:staging`, '--password-stdin'],
      { stdin: user.password },
    );
    expect(result.code).toBe(1);
    expect(result.stderr).toContain(
      `✗ artifact ${registry.host}/platform/flux:staging not found: check the repository and tag\n`,
    );
  });

  test('a URL without a tag is refused: the upgrade moves a tag', async () => {
    const result = await upgrade([
      ...flags.slice(1),
      `--url=oci://${registry.host}/platform/flux@${bootstrapped}`,
    ]);
    expect(result.code).toBe(1);
    expect(result.stderr).toContain('must name the tag Flux follows');
  });

  test('a downgrade is refused with exit 1', async () => {
    const result = await upgrade([...flags, '--version=v2.6.0'], {
      env: { OCI_PASSWORD: user.password },
    });
    expect(result.code).toBe(1);
    expect(result.stderr).toContain(
      "✗ Flux v2.6.0 is older than the artifact's v2.8.0: a downgrade can leave custom resources",
    );
    expect(tagDigest()).toBe(bootstrapped);
  });

  test('upgrades with the password on stdin, prints Flux lines on stderr and the result as JSON', async () => {
    const result = await upgrade(
      [...flags, '--version=v2.9.5', '--password-stdin', '--revision=ci-1234', '-o', 'json'],
      { stdin: `${user.password}\n` },
    );
    expect(result.stderr).not.toContain(user.password);
    expect(result.stdout).not.toContain(user.password);
    expect(result.code).toBe(0);
    const printed = JSON.parse(result.stdout) as Record<string, unknown>;
    expect(printed).toEqual({
      reference: `${registry.host}/platform/flux:production`,
      previousVersion: 'v2.8.0',
      previousDigest: bootstrapped,
      version: 'v2.9.5',
      digest: tagDigest(),
      changed: true,
    });
    expect(printed.digest).not.toBe(bootstrapped);
    expect(result.stderr.split('\n').map((line) => line.slice(0, 1))).toEqual([
      '►',
      '✔',
      '►',
      '✔',
      '►',
      '✔',
      '►',
      '✔',
      '',
    ]);
  });

  test('a second run says the artifact is already at that version and exits 0 (YAML output)', async () => {
    const before = tagDigest();
    const result = await upgrade([...flags, '--version=v2.9.5', '--output=yaml'], {
      env: { OCI_PASSWORD: user.password },
    });
    expect(result.code).toBe(0);
    expect(result.stderr).toContain(
      `✔ ${registry.host}/platform/flux:production is already at Flux v2.9.5 with these options: nothing to push\n`,
    );
    expect(parse(result.stdout)).toEqual({
      reference: `${registry.host}/platform/flux:production`,
      previousVersion: 'v2.9.5',
      previousDigest: before,
      version: 'v2.9.5',
      digest: before,
      changed: false,
    });
    expect(tagDigest()).toBe(before);
  });

  test('--silent prints nothing on stderr', async () => {
    const result = await upgrade([...flags, '--version=v2.9.5', '--silent'], {
      env: { OCI_PASSWORD: user.password },
    });
    expect(result).toEqual({ code: 0, stdout: '', stderr: '' });
  });
});
