import { jest } from '@jest/globals';
import { randomBytes } from 'node:crypto';
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { parse as parseYaml } from 'yaml';
import { buildLayer, buildTar, FLUX_CONTENT_MEDIA_TYPE } from '../../src/oci/index.js';
import { pushArtifact } from '../../src/oci/registry/index.js';
import { writeTree } from '../support/artifacts.js';
import { blobOf, rawArtifact, rawTarGz } from '../support/raw-artifacts.js';
import { runCli } from '../support/cli.js';
import { startRegistryFront } from '../support/registry-front.js';
import { startRegistry, type TestRegistry } from '../support/registry.js';
import { forwardTcp } from '../support/tcp-forwarder.js';

// Real registries (and TLS keys) are started per file: allow for a busy machine.
jest.setTimeout(60_000);

// The artifact commands end to end against a registry with basic auth (plain HTTP).
describe('flux-oci push/pull/tag/list/diff artifact', () => {
  const user = { username: 'flux', password: 'cli-s3cret' };
  let registry: TestRegistry;
  let home: string;
  let tree: string;
  let env: Record<string, string | undefined>;
  const creds = `--creds=${user.username}:${user.password}`;

  beforeAll(async () => {
    registry = await startRegistry({ htpasswd: user });
    // An empty home: no ~/.docker/config.json of the machine running the tests.
    home = mkdtempSync(join(tmpdir(), 'flux-oci-cli-home-'));
    env = {
      HOME: home,
      DOCKER_CONFIG: undefined,
      REGISTRY_AUTH_FILE: undefined,
      XDG_RUNTIME_DIR: undefined,
      OCI_PASSWORD: undefined,
    };
    tree = writeTree({
      'deploy/app.yaml': 'apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: app\n',
      'kustomization.yaml': 'resources:\n- deploy/app.yaml\n',
    });
  });
  afterAll(async () => {
    await registry?.stop();
    rmSync(home, { recursive: true, force: true });
    rmSync(tree, { recursive: true, force: true });
  });

  const push = (url: string, ...extra: string[]) =>
    runCli(
      [
        'push',
        'artifact',
        url,
        `--path=${tree}`,
        '--source=https://github.com/org/fleet',
        '--revision=main@sha1:1234',
        '--reproducible',
        '--allow-insecure-http',
        ...extra,
      ],
      { env },
    );

  it('pushes with --creds and prints Flux log lines on stderr', async () => {
    const result = await push(`oci://${registry.host}/cli/app:v1.0.0`, creds);
    expect(result.code).toBe(0);
    expect(result.stdout).toBe('');
    const lines = result.stderr.trim().split('\n');
    expect(lines[0]).toBe(`► pushing artifact to ${registry.host}/cli/app:v1.0.0`);
    expect(lines[1]).toMatch(
      new RegExp(
        `^✔ artifact successfully pushed to ${registry.host}/cli/app@sha256:[a-f0-9]{64}$`,
      ),
    );
  });

  it('prints -o json and -o yaml on stdout, password from $OCI_PASSWORD or stdin', async () => {
    const json = await runCli(
      [
        'push',
        'artifact',
        `oci://${registry.host}/cli/app:v1.0.0`,
        `--path=${tree}`,
        '--source=https://github.com/org/fleet',
        '--revision=main@sha1:1234',
        '--reproducible',
        '--insecure-registry',
        '--username=flux',
        '-o',
        'json',
      ],
      { env: { ...env, OCI_PASSWORD: user.password } },
    );
    expect(json.code).toBe(0);
    const info = JSON.parse(json.stdout) as Record<string, string>;
    expect(Object.keys(info)).toEqual(['url', 'repository', 'tag', 'digest']);
    expect(info).toEqual({
      url: `oci://${registry.host}/cli/app@${info.digest}`,
      repository: `${registry.host}/cli/app`,
      tag: 'v1.0.0',
      digest: expect.stringMatching(/^sha256:[a-f0-9]{64}$/),
    });
    expect(json.stdout).toBe(`${JSON.stringify(info, null, 2)}\n`);

    const yaml = await runCli(
      [
        'push',
        'artifact',
        `oci://${registry.host}/cli/app:v1.0.0`,
        `--path=${tree}`,
        '--source=https://github.com/org/fleet',
        '--revision=main@sha1:1234',
        '--reproducible',
        '--allow-insecure-http',
        '--username=flux',
        '--password-stdin',
        '-o',
        'yaml',
      ],
      { env, stdin: `${user.password}\n` },
    );
    expect(yaml.code).toBe(0);
    expect(yaml.stdout).toBe(
      `digest: ${info.digest}\nrepository: ${registry.host}/cli/app\ntag: v1.0.0\nurl: oci://${registry.host}/cli/app@${info.digest}\n`,
    );
  });

  it('pushes manifests from stdin with --path -', async () => {
    const args = [
      'push',
      'artifact',
      `oci://${registry.host}/cli/stdin:v1`,
      '--path=-',
      '--source=s',
      '--revision=r',
      '--allow-insecure-http',
    ];
    const result = await runCli([...args, creds, '-o', 'json'], {
      env,
      stdin: 'apiVersion: v1\nkind: Namespace\n',
    });
    expect(result.code).toBe(0);
    const { digest } = JSON.parse(result.stdout) as { digest: string };
    expect(digest).toMatch(/^sha256:/);
    const both = await runCli([...args, '--username=flux', '--password-stdin'], {
      env,
      stdin: 'x',
    });
    expect(both.code).toBe(1);
    expect(both.stderr).toContain('--path - and --password-stdin both read standard input');
  });

  it('says which user the registry rejected, without the password, and exits 1', async () => {
    const result = await push(
      `oci://${registry.host}/cli/app:v1.0.0`,
      '--creds=flux:not-the-password',
    );
    expect(result.code).toBe(1);
    expect(result.stderr).toContain(
      `✗ registry ${registry.host} rejected the credentials for user 'flux' (401): check the user name and password (--creds, or --username with --password-stdin or OCI_PASSWORD)`,
    );
    expect(result.stderr).not.toContain('not-the-password');
    const anonymous = await push(`oci://${registry.host}/cli/app:v1.0.0`);
    expect(anonymous.code).toBe(1);
    expect(anonymous.stderr).toContain('requires authentication');
  });

  it('refuses plain HTTP without --allow-insecure-http, except to localhost, 127.0.0.1 and ::1', async () => {
    const pushTo = (host: string) =>
      runCli(
        [
          'push',
          'artifact',
          `oci://${host}/cli/app:v1`,
          `--path=${tree}`,
          '--source=s',
          '--revision=r',
          creds,
          '--timeout=10s',
        ],
        { env },
      );
    // 127.0.0.2 is loopback too, but not one of the names Flux lets through.
    const other = await forwardTcp('127.0.0.2', registry.host);
    try {
      const result = await pushTo(other.host);
      expect(result.code).toBe(1);
      expect(result.stderr).toContain('does not speak TLS');
      expect(result.stderr).toContain('--allow-insecure-http');
    } finally {
      await other.stop();
    }
    const local = await pushTo(`localhost:${registry.host.split(':')[1]}`);
    expect(local.stderr).not.toContain('✗');
    expect(local.code).toBe(0);
  });

  it('pulls into a directory and prints source, revision and digest', async () => {
    await push(`oci://${registry.host}/cli/pull:v1`, creds);
    const out = mkdtempSync(join(tmpdir(), 'flux-oci-cli-pull-'));
    try {
      const result = await runCli(
        [
          'pull',
          'artifact',
          `oci://${registry.host}/cli/pull:v1`,
          '-o',
          out,
          creds,
          '--allow-insecure-http',
        ],
        { env },
      );
      expect(result.code).toBe(0);
      const lines = result.stderr.trim().split('\n');
      expect(lines[0]).toBe(`► pulling artifact from ${registry.host}/cli/pull:v1`);
      expect(lines[1]).toBe('✔ source https://github.com/org/fleet');
      expect(lines[2]).toBe('✔ revision main@sha1:1234');
      expect(lines[3]).toMatch(
        new RegExp(`^✔ digest ${registry.host}/cli/pull@sha256:[a-f0-9]{64}$`),
      );
      expect(lines[4]).toBe(`✔ artifact content extracted to ${out}`);
      expect(readFileSync(join(out, 'deploy', 'app.yaml'), 'utf8')).toContain('name: app');
      const missing = await runCli(
        ['pull', 'artifact', `oci://${registry.host}/cli/pull:v1`, '-o', join(out, 'nope'), creds],
        { env },
      );
      expect(missing.code).toBe(1);
      expect(missing.stderr).toContain('--output must be an existing directory');
    } finally {
      rmSync(out, { recursive: true, force: true });
    }
  });

  it('refuses to extract a hostile layer and writes nothing outside the directory', async () => {
    const layer = blobOf(
      FLUX_CONTENT_MEDIA_TYPE,
      await rawTarGz([{ name: '../escaped.yaml', content: 'x\n' }]),
    );
    await pushArtifact(`oci://${registry.host}/cli/hostile:v1`, rawArtifact([layer]), {
      allowInsecureHttp: true,
      useAuthFile: false,
      credentials: user,
    });
    const parent = mkdtempSync(join(tmpdir(), 'flux-oci-cli-hostile-'));
    try {
      const out = join(parent, 'out');
      mkdirSync(out);
      const result = await runCli(
        [
          'pull',
          'artifact',
          `oci://${registry.host}/cli/hostile:v1`,
          '-o',
          out,
          creds,
          '--allow-insecure-http',
        ],
        { env },
      );
      expect(result.code).toBe(1);
      expect(result.stderr).toContain('✗ refusing layer entry "../escaped.yaml"');
      expect(readdirSync(parent)).toEqual(['out']);
      expect(readdirSync(out)).toEqual([]);
    } finally {
      rmSync(parent, { recursive: true, force: true });
    }
  });

  it('tags and lists as a Flux table and as json', async () => {
    const pushed = await push(`oci://${registry.host}/cli/list:1.0.0`, creds, '-o', 'json');
    const digest = (JSON.parse(pushed.stdout) as { digest: string }).digest;
    const tagged = await runCli(
      [
        'tag',
        'artifact',
        `oci://${registry.host}/cli/list:1.0.0`,
        '--tag',
        'latest,1.1.0',
        creds,
        '--allow-insecure-http',
      ],
      { env },
    );
    expect(tagged.code).toBe(0);
    expect(tagged.stderr).toBe(
      `► tagging artifact\n✔ artifact tagged as ${registry.host}/cli/list:latest\n✔ artifact tagged as ${registry.host}/cli/list:1.1.0\n`,
    );
    const listed = await runCli(
      [
        'list',
        'artifacts',
        `oci://${registry.host}/cli/list`,
        creds,
        '--allow-insecure-http',
        '--filter-semver',
        '>=1.0.0',
      ],
      { env },
    );
    expect(listed.code).toBe(0);
    const url = `${registry.host}/cli/list:1.1.0`;
    const pad = (s: string, w: number) => s + ' '.repeat(w - s.length);
    const widths = [
      url.length,
      digest.length,
      'https://github.com/org/fleet'.length,
      'main@sha1:1234'.length,
    ];
    const row = (cells: string[]) => cells.map((c, i) => `${pad(c, widths[i])}\t`).join('') + '\n';
    // Flux's tablewriter ends the header with a space, the rows with a tab.
    const header = row(['ARTIFACT', 'DIGEST', 'SOURCE', 'REVISION']).replace(/\t\n$/, ' \n');
    expect(listed.stdout).toBe(
      header +
        row([url, digest, 'https://github.com/org/fleet', 'main@sha1:1234']) +
        row([
          `${registry.host}/cli/list:1.0.0`,
          digest,
          'https://github.com/org/fleet',
          'main@sha1:1234',
        ]),
    );
    const json = await runCli(
      [
        'list',
        'artifacts',
        `oci://${registry.host}/cli/list`,
        creds,
        '--allow-insecure-http',
        '-o',
        'json',
      ],
      { env },
    );
    expect((JSON.parse(json.stdout) as { tag: string }[]).map((a) => a.tag)).toEqual([
      'latest',
      '1.1.0',
      '1.0.0',
    ]);
  });

  it('keeps pre-releases with --filter-semver as Flux does (at least three dot-separated parts)', async () => {
    await push(`oci://${registry.host}/cli/semver:v2.0.0-rc.1`, creds);
    const tagged = await runCli(
      [
        'tag',
        'artifact',
        `oci://${registry.host}/cli/semver:v2.0.0-rc.1`,
        '--tag',
        '2.1,1.2.3.4,v1.9.0',
        creds,
        '--allow-insecure-http',
      ],
      { env },
    );
    expect(tagged.code).toBe(0);
    const listed = await runCli(
      [
        'list',
        'artifacts',
        `oci://${registry.host}/cli/semver`,
        creds,
        '--allow-insecure-http',
        '--filter-semver',
        '>=2.0.0-0',
        '-o',
        'json',
      ],
      { env },
    );
    expect(listed.code).toBe(0);
    expect((JSON.parse(listed.stdout) as { tag: string }[]).map((a) => a.tag)).toEqual([
      'v2.0.0-rc.1',
    ]);
  });

  it('diffs by the tar when the same tree was compressed by another gzip (Go Flux)', async () => {
    const tar = buildTar({ path: tree });
    const ours = buildLayer({ path: tree }).layer;
    const theirs = blobOf(FLUX_CONTENT_MEDIA_TYPE, gzipSync(tar, { level: 9 }));
    // Otherwise the layers would be equal and the tar never compared.
    expect(theirs.descriptor.digest).not.toBe(ours.descriptor.digest);
    await pushArtifact(`oci://${registry.host}/cli/gzip:v1`, rawArtifact([theirs]), {
      allowInsecureHttp: true,
      useAuthFile: false,
      credentials: user,
    });
    const base = ['diff', 'artifact', `oci://${registry.host}/cli/gzip:v1`, creds];
    const same = await runCli([...base, '--allow-insecure-http', `--path=${tree}`, '-o', 'json'], {
      env,
    });
    expect(same.code).toBe(0);
    expect(JSON.parse(same.stdout)).toMatchObject({ same: true, comparedBy: 'tar' });
    const changed = writeTree({ 'kustomization.yaml': 'resources: []\n' });
    try {
      const different = await runCli([...base, '--allow-insecure-http', `--path=${changed}`], {
        env,
      });
      expect(different.code).toBe(1);
    } finally {
      rmSync(changed, { recursive: true, force: true });
    }
  });

  it('escapes control characters from the registry in log lines and the table, not in json', async () => {
    const fake = '\x1b[2J\x1b[H✔ artifact verified and extracted';
    const layer = blobOf(
      FLUX_CONTENT_MEDIA_TYPE,
      await rawTarGz([{ name: 'a.yaml', content: 'a: 1\n' }]),
    );
    const annotations = {
      'org.opencontainers.image.source': fake,
      'org.opencontainers.image.revision': 'main\n✔ revision verified\r\u202e',
    };
    await pushArtifact(
      `oci://${registry.host}/cli/ansi:v1`,
      rawArtifact([layer], { annotations }),
      { allowInsecureHttp: true, useAuthFile: false, credentials: user },
    );
    const out = mkdtempSync(join(tmpdir(), 'flux-oci-cli-ansi-'));
    try {
      const pulled = await runCli(
        [
          'pull',
          'artifact',
          `oci://${registry.host}/cli/ansi:v1`,
          '-o',
          out,
          creds,
          '--allow-insecure-http',
        ],
        { env },
      );
      expect(pulled.code).toBe(0);
      const lines = pulled.stderr.split('\n');
      expect(lines).toHaveLength(6);
      expect(lines[1]).toBe('✔ source \\x1b[2J\\x1b[H✔ artifact verified and extracted');
      expect(lines[2]).toBe('✔ revision main\\n✔ revision verified\\r\\u202e');
      // eslint-disable-next-line no-control-regex -- no control character may reach the terminal
      expect(pulled.stderr).not.toMatch(/[\x00-\x09\x0b-\x1f\u202e]/);
    } finally {
      rmSync(out, { recursive: true, force: true });
    }
    const list = [
      'list',
      'artifacts',
      `oci://${registry.host}/cli/ansi`,
      creds,
      '--allow-insecure-http',
    ];
    const table = await runCli(list, { env });
    expect(table.code).toBe(0);
    expect(table.stdout.split('\n')).toHaveLength(3);
    expect(table.stdout).toContain('\\x1b[2J\\x1b[H✔ artifact verified and extracted');
    // eslint-disable-next-line no-control-regex -- no control character may reach the terminal
    expect(table.stdout).not.toMatch(/[\x00-\x08\x0b-\x1f\u202e]/);
    for (const format of ['json', 'yaml']) {
      const exact = await runCli([...list, '-o', format], { env });
      expect(exact.code).toBe(0);
      const parsed = (format === 'json' ? JSON.parse(exact.stdout) : parseYaml(exact.stdout)) as {
        source: string;
        revision: string;
      }[];
      expect(parsed[0]).toMatchObject({
        source: annotations['org.opencontainers.image.source'],
        revision: annotations['org.opencontainers.image.revision'],
      });
    }
  });

  it('escapes control characters in registry error messages and entry names', async () => {
    const hostile = await startRegistryFront({
      target: registry.host,
      answer: (req, real) =>
        req.url.includes('/manifests/')
          ? {
              status: 400,
              headers: { 'content-type': 'application/json' },
              body: Buffer.from(
                JSON.stringify({
                  errors: [
                    { code: 'DENIED', message: '\x1b[2J\n✔ artifact verified and extracted' },
                  ],
                }),
              ),
            }
          : real(),
    });
    const out = mkdtempSync(join(tmpdir(), 'flux-oci-cli-ansi-err-'));
    try {
      const failed = await runCli(
        [
          'pull',
          'artifact',
          `oci://${hostile.host}/cli/ansi:v1`,
          '-o',
          out,
          creds,
          '--allow-insecure-http',
        ],
        { env },
      );
      expect(failed.code).toBe(1);
      expect(failed.stderr.split('\n')[1]).toBe(
        `✗ registry ${hostile.host} failed to get manifest ${hostile.host}/cli/ansi:v1 (400): DENIED: \\x1b[2J\\n✔ artifact verified and extracted`,
      );
      expect(failed.stderr.split('\n')).toHaveLength(3);

      const layer = blobOf(
        FLUX_CONTENT_MEDIA_TYPE,
        await rawTarGz([{ name: '../\x1b[2Jevil\n✔ extracted.yaml', content: 'x\n' }]),
      );
      await pushArtifact(`oci://${registry.host}/cli/ansi-entry:v1`, rawArtifact([layer]), {
        allowInsecureHttp: true,
        useAuthFile: false,
        credentials: user,
      });
      const refused = await runCli(
        [
          'pull',
          'artifact',
          `oci://${registry.host}/cli/ansi-entry:v1`,
          '-o',
          out,
          creds,
          '--allow-insecure-http',
        ],
        { env },
      );
      expect(refused.code).toBe(1);
      expect(refused.stderr.split('\n')[1]).toBe(
        '✗ refusing layer entry "../\\x1b[2Jevil\\n✔ extracted.yaml": ".." in path; the artifact is not safe to extract',
      );
    } finally {
      rmSync(out, { recursive: true, force: true });
      await hostile.stop();
    }
  });

  it('diffs: exit 0 when equal, 1 when different, 2 when it cannot tell', async () => {
    await push(`oci://${registry.host}/cli/diff:v1`, creds);
    const base = [
      'diff',
      'artifact',
      `oci://${registry.host}/cli/diff:v1`,
      creds,
      '--allow-insecure-http',
    ];
    const same = await runCli([...base, `--path=${tree}`], { env });
    expect(same).toMatchObject({ code: 0, stderr: '✔ no changes detected\n' });
    const changed = writeTree({ 'other.yaml': 'a: 1\n' });
    try {
      const different = await runCli([...base, `--path=${changed}`], { env });
      expect(different.code).toBe(1);
      expect(different.stderr).toBe('✗ the remote artifact contents differs from the local one\n');
    } finally {
      rmSync(changed, { recursive: true, force: true });
    }
    const broken = await runCli(
      [
        'diff',
        'artifact',
        `oci://${registry.host}/cli/diff:missing`,
        creds,
        '--allow-insecure-http',
        `--path=${tree}`,
      ],
      { env },
    );
    expect(broken.code).toBe(2);
    expect(broken.stderr).toContain('not found');
  });

  it('diff --add-ignore-paths leaves those paths out of the local side, on top of --ignore-paths', async () => {
    await push(`oci://${registry.host}/cli/diff-ignore:v1`, creds);
    const base = [
      'diff',
      'artifact',
      `oci://${registry.host}/cli/diff-ignore:v1`,
      creds,
      '--allow-insecure-http',
    ];
    const local = writeTree({
      'deploy/app.yaml': 'apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: app\n',
      'kustomization.yaml': 'resources:\n- deploy/app.yaml\n',
      'notes/todo.txt': 'local only\n',
      'scratch.yaml': 'a: 1\n',
    });
    try {
      const different = await runCli([...base, `--path=${local}`], { env });
      expect(different.code).toBe(1);
      const same = await runCli(
        [
          ...base,
          `--path=${local}`,
          '--add-ignore-paths=notes/',
          '--add-ignore-paths=scratch.yaml',
        ],
        { env },
      );
      expect(same).toMatchObject({ code: 0, stderr: '✔ no changes detected\n' });
    } finally {
      rmSync(local, { recursive: true, force: true });
    }
  });

  it('shows upload and download progress for blobs of real size', async () => {
    const big = writeTree({ 'blob.bin': randomBytes(3 * 1024 * 1024) });
    try {
      const pushed = await runCli(
        [
          'push',
          'artifact',
          `oci://${registry.host}/cli/big:v1`,
          `--path=${big}`,
          '--source=s',
          '--revision=r',
          '--ignore-paths=',
          creds,
          '--allow-insecure-http',
        ],
        { env },
      );
      expect(pushed.code).toBe(0);
      expect(pushed.stderr).toMatch(/◎ uploading sha256:[a-f0-9]{12} 3\.0 \/ 3\.0 MiB \(100%\)/);
      const out = mkdtempSync(join(tmpdir(), 'flux-oci-cli-big-'));
      try {
        const pulled = await runCli(
          [
            'pull',
            'artifact',
            `oci://${registry.host}/cli/big:v1`,
            '-o',
            out,
            creds,
            '--allow-insecure-http',
          ],
          { env },
        );
        expect(pulled.code).toBe(0);
        expect(pulled.stderr).toMatch(
          /◎ downloading sha256:[a-f0-9]{12} 3\.0 \/ 3\.0 MiB \(100%\)/,
        );
      } finally {
        rmSync(out, { recursive: true, force: true });
      }
    } finally {
      rmSync(big, { recursive: true, force: true });
    }
  });

  it('trusts a registry CA given with --ca-file', async () => {
    const tls = await startRegistry({ tls: true });
    try {
      const url = `oci://${tls.host}/cli/tls:v1`;
      const args = ['push', 'artifact', url, `--path=${tree}`, '--source=s', '--revision=r'];
      const untrusted = await runCli(args, { env });
      expect(untrusted.code).toBe(1);
      expect(untrusted.stderr).toContain('--ca-file');
      const trusted = await runCli([...args, `--ca-file=${tls.caFile}`], { env });
      expect(trusted.code).toBe(0);
    } finally {
      await tls.stop();
    }
  });

  it('reads credentials from the Docker config file when no flag is given', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'flux-oci-cli-docker-'));
    try {
      const auth = Buffer.from(`${user.username}:${user.password}`).toString('base64');
      writeFileSync(
        join(dir, 'config.json'),
        JSON.stringify({ auths: { [registry.host]: { auth } } }),
      );
      const result = await push(`oci://${registry.host}/cli/config:v1`);
      expect(result.code).toBe(1);
      const withConfig = await runCli(
        [
          'push',
          'artifact',
          `oci://${registry.host}/cli/config:v1`,
          `--path=${tree}`,
          '--source=s',
          '--revision=r',
          '--allow-insecure-http',
        ],
        { env: { ...env, DOCKER_CONFIG: dir } },
      );
      expect(withConfig.code).toBe(0);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
