import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { credentialsFromFlags } from '../../../src/cli/credentials.js';
import { parseGoDuration } from '../../../src/cli/registry-options.js';
import { formatTable } from '../../../src/cli/output.js';
import { escapeControl } from '../../../src/terminal-text.js';
import { progressReporter } from '../../../src/cli/progress.js';
import { parseChallenge } from '../../../src/oci/registry/challenge.js';
import {
  credentialsFromConfig,
  findAuthConfigFile,
  tagFilter,
} from '../../../src/oci/registry/index.js';
import {
  isRetryableStatus,
  parseRetryAfter,
  retryDelay,
} from '../../../src/oci/registry/http/retry.js';

describe('retry policy', () => {
  it('retries timeouts, throttling and server errors only', () => {
    expect([408, 429, 500, 502, 503, 504].every(isRetryableStatus)).toBe(true);
    expect([200, 201, 400, 401, 403, 404, 501].some(isRetryableStatus)).toBe(false);
  });

  it('backs off exponentially with jitter, capped, and honours a longer Retry-After', () => {
    const policy = { retries: 5, baseDelayMs: 100, maxDelayMs: 1000 };
    for (let i = 0; i < 50; i++) {
      const first = retryDelay(policy, 0);
      expect(first).toBeGreaterThanOrEqual(80);
      expect(first).toBeLessThanOrEqual(120);
      const third = retryDelay(policy, 2);
      expect(third).toBeGreaterThanOrEqual(320);
      expect(third).toBeLessThanOrEqual(480);
      expect(retryDelay(policy, 10)).toBe(1000);
    }
    expect(retryDelay(policy, 0, 700)).toBe(700);
    expect(retryDelay(policy, 0, 60_000)).toBe(1000);
  });

  it('reads Retry-After as seconds or an HTTP date', () => {
    expect(parseRetryAfter('3')).toBe(3000);
    const now = Date.parse('2026-01-01T00:00:00Z');
    expect(parseRetryAfter('Thu, 01 Jan 2026 00:00:05 GMT', now)).toBe(5000);
    expect(parseRetryAfter('soon')).toBeUndefined();
    expect(parseRetryAfter(undefined)).toBeUndefined();
  });
});

describe('WWW-Authenticate', () => {
  it('parses bearer challenges with quoted and bare parameters', () => {
    expect(
      parseChallenge(
        'Bearer realm="https://auth.example/token",service="registry.example",scope="repository:a/b:pull,push"',
      ),
    ).toEqual({
      scheme: 'bearer',
      params: {
        realm: 'https://auth.example/token',
        service: 'registry.example',
        scope: 'repository:a/b:pull,push',
      },
    });
    expect(parseChallenge('Basic realm=registry')).toEqual({
      scheme: 'basic',
      params: { realm: 'registry' },
    });
    expect(parseChallenge('Bearer realm="a\\"b", error="invalid_token"')?.params).toEqual({
      realm: 'a"b',
      error: 'invalid_token',
    });
    expect(parseChallenge(undefined)).toBeUndefined();
  });
});

describe('tag filters', () => {
  const tags = ['1.0.0', 'v1.2.0', '1.2', '1.2.3.4', '2.0.0-rc.1', '2.0.0', 'latest'];
  it('keeps X.Y.Z versions in range (three dot-separated parts, v prefix allowed)', () => {
    expect(tags.filter(tagFilter({ semverFilter: '>=1.0.0 <2.0.0' }))).toEqual(['1.0.0', 'v1.2.0']);
    expect(tags.filter(tagFilter({ semverFilter: '>=1.0.0, <3.0.0' }))).toEqual([
      '1.0.0',
      'v1.2.0',
      '2.0.0',
    ]);
    expect(tags.filter(tagFilter({ regexFilter: '^v?1' }))).toEqual([
      '1.0.0',
      'v1.2.0',
      '1.2',
      '1.2.3.4',
    ]);
  });
  // Masterminds (Flux): a constraint naming a pre-release admits every pre-release to its
  // || group, not only those of the same X.Y.Z as node-semver (checked against the real Flux
  // CLI in test/cli/flux-cli-interop.test.ts).
  it('admits pre-releases to an || group that names one, and only there', () => {
    const more = ['1.1.0-beta.1', '2.0.0-rc.1', '2.1.0-beta.2', '2.1.0', '3.0.0-alpha.1'];
    expect(more.filter(tagFilter({ semverFilter: '>=2.0.0-0' }))).toEqual([
      '2.0.0-rc.1',
      '2.1.0-beta.2',
      '2.1.0',
      '3.0.0-alpha.1',
    ]);
    expect(more.filter(tagFilter({ semverFilter: '>=2.0.0' }))).toEqual(['2.1.0']);
    expect(more.filter(tagFilter({ semverFilter: '~1.1 || >=2.1.0-0' }))).toEqual([
      '2.1.0-beta.2',
      '2.1.0',
      '3.0.0-alpha.1',
    ]);
  });
  it('names a bad filter', () => {
    expect(() => tagFilter({ semverFilter: 'not-a-range' })).toThrow(
      "invalid --filter-semver 'not-a-range'",
    );
    expect(() => tagFilter({ regexFilter: '(' })).toThrow("invalid --filter-regex '('");
  });
});

describe('auth file lookup', () => {
  let dir: string;
  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'flux-oci-authfile-'));
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  const write = (path: string, content: unknown): string => {
    mkdirSync(join(path, '..'), { recursive: true });
    writeFileSync(path, JSON.stringify(content));
    return path;
  };

  it('follows go-containerregistry: Docker config first, then REGISTRY_AUTH_FILE, then XDG_RUNTIME_DIR', () => {
    const home = join(dir, 'home');
    const podman = write(join(dir, 'podman.json'), {});
    const xdg = write(join(dir, 'run', 'containers', 'auth.json'), {});
    const env = { HOME: home, REGISTRY_AUTH_FILE: podman, XDG_RUNTIME_DIR: join(dir, 'run') };
    expect(findAuthConfigFile(env)).toBe(podman);
    expect(findAuthConfigFile({ ...env, REGISTRY_AUTH_FILE: undefined })).toBe(xdg);
    const docker = write(join(home, '.docker', 'config.json'), {});
    expect(findAuthConfigFile(env)).toBe(docker);
    const custom = write(join(dir, 'custom', 'config.json'), {});
    expect(findAuthConfigFile({ ...env, DOCKER_CONFIG: join(dir, 'custom') })).toBe(custom);
    expect(findAuthConfigFile({ HOME: join(dir, 'empty') })).toBeUndefined();
  });

  it('matches the repository key, then the registry, with or without scheme', async () => {
    const file = write(join(dir, 'auth.json'), {
      auths: {
        'https://registry.example/v1/': { auth: Buffer.from('reg:pw1').toString('base64') },
        'other.example/team/app': { username: 'repo', password: 'pw2' },
        'other.example': { identitytoken: 'refresh' },
        'https://index.docker.io/v1/': { auth: Buffer.from('hub:pw3').toString('base64') },
      },
    });
    const env = { HOME: join(dir, 'none'), REGISTRY_AUTH_FILE: file };
    expect(await credentialsFromConfig('registry.example', 'x/y', env)).toEqual({
      username: 'reg',
      password: 'pw1',
    });
    expect(await credentialsFromConfig('other.example', 'team/app', env)).toEqual({
      username: 'repo',
      password: 'pw2',
    });
    expect(await credentialsFromConfig('index.docker.io', 'library/nginx', env)).toEqual({
      username: 'hub',
      password: 'pw3',
    });
    expect(await credentialsFromConfig('unknown.example', 'a/b', env)).toBeUndefined();
  });
});

describe('credential flags', () => {
  const noStdin = () => Promise.reject(new Error('stdin not expected'));
  it('reads --creds user:password, a token, or a user with the password from env or stdin', async () => {
    expect(await credentialsFromFlags({ creds: 'u:p:q' }, {}, noStdin)).toEqual({
      username: 'u',
      password: 'p:q',
    });
    expect(await credentialsFromFlags({ creds: 'tok' }, {}, noStdin)).toEqual({
      registryToken: 'tok',
    });
    expect(await credentialsFromFlags({ creds: 'u' }, { OCI_PASSWORD: 'env' }, noStdin)).toEqual({
      username: 'u',
      password: 'env',
    });
    expect(
      await credentialsFromFlags({ username: 'u', passwordStdin: true }, {}, () =>
        Promise.resolve('in'),
      ),
    ).toEqual({
      username: 'u',
      password: 'in',
    });
    expect(await credentialsFromFlags({}, {}, noStdin)).toBeUndefined();
  });
  it('refuses contradictions with the fix', async () => {
    await expect(
      credentialsFromFlags({ creds: 'a:b', username: 'c' }, {}, noStdin),
    ).rejects.toThrow('either --creds or --username');
    await expect(
      credentialsFromFlags({ username: 'a:b' }, { OCI_PASSWORD: 'p' }, noStdin),
    ).rejects.toThrow("--username 'a:b' contains ':'");
    await expect(credentialsFromFlags({ username: 'u' }, {}, noStdin)).rejects.toThrow(
      '--password-stdin or set $OCI_PASSWORD',
    );
    await expect(credentialsFromFlags({ password: 'p' }, {}, noStdin)).rejects.toThrow(
      'add --username',
    );
  });
});

describe('progress', () => {
  const stream = (isTTY: boolean) => {
    const out: string[] = [];
    return {
      out,
      stream: { isTTY, write: (s: string) => out.push(s) } as unknown as NodeJS.WriteStream,
    };
  };
  const digest = `sha256:${'a'.repeat(64)}`;
  const mib = 1024 * 1024;

  it('prints a line per quarter in logs and nothing for small blobs', () => {
    const { out, stream: s } = stream(false);
    const report = progressReporter({ stream: s });
    report({ direction: 'upload', digest, bytes: 100, total: 1000 });
    for (let bytes = 0; bytes <= 8 * mib; bytes += mib / 2)
      report({ direction: 'upload', digest, bytes, total: 8 * mib });
    expect(out).toEqual([
      `◎ uploading sha256:aaaaaaaaaaaa 0.0 / 8.0 MiB (0%)\n`,
      `◎ uploading sha256:aaaaaaaaaaaa 2.0 / 8.0 MiB (25%)\n`,
      `◎ uploading sha256:aaaaaaaaaaaa 4.0 / 8.0 MiB (50%)\n`,
      `◎ uploading sha256:aaaaaaaaaaaa 6.0 / 8.0 MiB (75%)\n`,
      `◎ uploading sha256:aaaaaaaaaaaa 8.0 / 8.0 MiB (100%)\n`,
    ]);
  });

  it('redraws one line on a terminal and ends it when done', () => {
    const { out, stream: s } = stream(true);
    const report = progressReporter({ stream: s });
    report({ direction: 'download', digest, bytes: mib, total: 2 * mib });
    report({ direction: 'download', digest, bytes: mib + 1, total: 2 * mib });
    report({ direction: 'download', digest, bytes: 2 * mib, total: 2 * mib });
    expect(out).toEqual([
      `\r\x1b[2K◎ downloading sha256:aaaaaaaaaaaa 1.0 / 2.0 MiB (50%)`,
      `\r\x1b[2K◎ downloading sha256:aaaaaaaaaaaa 2.0 / 2.0 MiB (100%)\n`,
    ]);
  });
});

describe('CLI helpers', () => {
  it('parses Go durations and refuses others', () => {
    expect(parseGoDuration('5m0s', '--timeout')).toBe(300_000);
    expect(parseGoDuration('1h30m', '--timeout')).toBe(5_400_000);
    expect(parseGoDuration('1.5s', '--timeout')).toBe(1500);
    expect(() => parseGoDuration('5 minutes', '--timeout')).toThrow(
      "invalid --timeout '5 minutes'",
    );
    expect(() => parseGoDuration('10', '--timeout')).toThrow();
  });
  it('prints tables as Flux: upper-case header, padded cells each followed by a tab, the header last by a space', () => {
    expect(formatTable(['a', 'bb'], [['xyz', '1']])).toBe('A  \tBB \nxyz\t1 \t\n');
  });

  it('escapes C0, DEL, C1, line separators and bidi overrides; leaves other text alone', () => {
    expect(escapeControl('a\x9b31mb\x7f\u202ec\u2028d\x00\r')).toBe(
      'a\\x9b31mb\\x7f\\u202ec\\u2028d\\x00\\r',
    );
    expect(escapeControl('ünïcode ✔ ⚠️ "quoted" \\n')).toBe('ünïcode ✔ ⚠️ "quoted" \\n');
  });

  it('escapes control characters in table cells, padding by what is shown', () => {
    expect(formatTable(['a', 'b'], [['x\ty', '\x1b[2J\n']])).toBe(
      'A   \tB         \nx\\ty\t\\x1b[2J\\n\t\n',
    );
  });
});
