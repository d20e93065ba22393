import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
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
