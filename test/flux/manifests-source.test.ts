import { createHash } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync, existsSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { UserError } from '../../src/errors.js';
import { loadLocalManifests, loadManifests } from '../../src/flux/manifests/source.js';
import { DEFAULT_FLUX_VERSION } from '../../src/flux/flux-versions.js';
import {
  EMBEDDED_FLUX_VERSION,
  EMBEDDED_MANIFESTS_FILE,
} from '../../src/flux/manifests/embedded.js';
import { startConnectProxy } from '../support/connect-proxy.js';
import { freePort } from '../support/ports.js';
import { FIXTURE_BUNDLE, fixtureArchive, tarGz } from './fixture-archive.js';

const COMPONENT_FILES = [
  'helm-controller.yaml',
  'image-automation-controller.yaml',
  'image-reflector-controller.yaml',
  'kustomize-controller.yaml',
  'notification-controller.yaml',
  'policies.yaml',
  'rbac.yaml',
  'source-controller.yaml',
  'source-watcher.yaml',
];

describe('manifests source: download from a releases base URL or mirror', () => {
  let server: Server;
  let baseUrl: string;
  let archive: Buffer;
  let checksum: string;
  const requests: string[] = [];
  let work: string;

  beforeAll(async () => {
    archive = await fixtureArchive();
    checksum = createHash('sha256').update(archive).digest('hex');
    server = createServer((req, res) => {
      requests.push(req.url ?? '');
      if (req.url === '/fluxcd/flux2/releases/download/v2.9.4/manifests.tar.gz') {
        res.writeHead(200, { 'content-type': 'application/gzip' }).end(archive);
      } else if (req.url === '/fluxcd/flux2/releases/download/v2.7.0/manifests.tar.gz') {
        res.writeHead(302, { location: '/blobs/v2.7.0.tgz' }).end();
      } else if (req.url === '/blobs/v2.7.0.tgz') {
        res.writeHead(200).end(archive);
      } else if (req.url === '/fluxcd/flux2/releases/download/v2.8.0/manifests.tar.gz') {
        res.writeHead(200).end(archive);
      } else if (req.url === '/fluxcd/flux2/releases/download/v2.8.0/flux_2.8.0_checksums.txt') {
        res
          .writeHead(200)
          .end(`${'1'.repeat(64)}  flux_2.8.0_linux_amd64.tar.gz\n${checksum}  manifests.tar.gz\n`);
      } else if (req.url === '/fluxcd/flux2/releases/download/v2.8.1/manifests.tar.gz') {
        res.writeHead(200).end(archive);
      } else if (req.url === '/fluxcd/flux2/releases/download/v2.8.1/flux_2.8.1_checksums.txt') {
        res.writeHead(200).end(`${'2'.repeat(64)}  manifests.tar.gz\n`);
      } else {
        res.writeHead(404).end('not found');
      }
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    baseUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}/fluxcd/flux2/releases`;
  });
  afterAll(() => new Promise<void>((resolve) => server.close(() => resolve())));
  beforeEach(() => {
    requests.length = 0;
    work = mkdtempSync(join(tmpdir(), 'manifests-'));
  });
  afterEach(() => rmSync(work, { recursive: true, force: true }));

  test('downloads once, verifies the pinned checksum, then reads the cache', async () => {
    const options = {
      version: '2.9.4',
      baseUrl,
      cacheDir: work,
      checksums: { 'v2.9.4': checksum },
      env: {},
    };
    const first = await loadManifests(options);
    expect(first.version).toBe('v2.9.4');
    expect(first.verified).toBe(true);
    expect([...first.files.keys()].sort()).toEqual(COMPONENT_FILES);
    expect(existsSync(join(work, 'v2.9.4', 'manifests.tar.gz'))).toBe(true);
    const second = await loadManifests(options);
    expect(second.files).toEqual(first.files);
    expect(requests).toEqual(['/fluxcd/flux2/releases/download/v2.9.4/manifests.tar.gz']);
  });

  test('downloads through the proxy HTTP_PROXY names, as the registry client does', async () => {
    // `releases.test` resolves only inside the proxy.
    const proxy = await startConnectProxy({ hosts: { 'releases.test': '127.0.0.1' } });
    try {
      const port = new URL(baseUrl).port;
      const proxied = {
        baseUrl: `http://releases.test:${port}/fluxcd/flux2/releases`,
        cacheDir: work,
      };
      const bundle = await loadManifests({
        ...proxied,
        version: '2.7.0',
        env: { HTTP_PROXY: proxy.url },
      });
      expect([...bundle.files.keys()].sort()).toEqual(COMPONENT_FILES);
      // The redirect is followed through the proxy too.
      expect(proxy.forwarded.map((r) => r.split(' ').slice(0, 2).join(' '))).toEqual([
        `GET http://releases.test:${port}/fluxcd/flux2/releases/download/v2.7.0/manifests.tar.gz`,
        `GET http://releases.test:${port}/blobs/v2.7.0.tgz`,
        `GET http://releases.test:${port}/fluxcd/flux2/releases/download/v2.7.0/flux_2.7.0_checksums.txt`,
      ]);
      const closed = `127.0.0.1:${await freePort()}`;
      await expect(
        loadManifests({ ...proxied, version: '2.6.0', env: { HTTP_PROXY: `http://${closed}` } }),
      ).rejects.toThrow(
        `cannot download the Flux v2.6.0 manifests from http://releases.test:${port}/fluxcd/flux2/releases/download/v2.6.0/manifests.tar.gz (cannot reach the HTTP proxy ${closed} (ECONNREFUSED): check HTTP_PROXY)`,
      );
    } finally {
      await proxy.stop();
    }
  });

  test('a checksum mismatch is refused and nothing is cached', async () => {
    const options = {
      version: 'v2.9.4',
      baseUrl,
      cacheDir: work,
      checksums: { 'v2.9.4': '0'.repeat(64) },
      env: {},
    };
    await expect(loadManifests(options)).rejects.toThrow(
      new RegExp(`sha256 ${checksum}, not the pinned 0{64}`),
    );
    expect(existsSync(join(work, 'v2.9.4', 'manifests.tar.gz'))).toBe(false);
  });

  test('a tampered cache entry of a pinned version is replaced by a fresh download', async () => {
    const options = {
      version: 'v2.9.4',
      baseUrl,
      cacheDir: work,
      checksums: { 'v2.9.4': checksum },
      env: {},
    };
    await loadManifests(options);
    writeFileSync(join(work, 'v2.9.4', 'manifests.tar.gz'), await tarGz({ 'rbac.yaml': '' }));
    const bundle = await loadManifests(options);
    expect(bundle.files.size).toBe(COMPONENT_FILES.length);
    expect(requests).toHaveLength(2);
  });

  test('follows redirects; an unpinned version is accepted and marked unverified', async () => {
    const bundle = await loadManifests({
      version: 'v2.7.0',
      baseUrl,
      cacheDir: work,
      checksums: {},
      env: {},
    });
    expect(bundle.verified).toBe(false);
    expect(bundle.origin).toBe(`${baseUrl}/download/v2.7.0/manifests.tar.gz`);
  });

  test('an unpinned version is verified against the release checksums file, also from the cache', async () => {
    const options = { version: 'v2.8.0', baseUrl, cacheDir: work, checksums: {}, env: {} };
    expect((await loadManifests(options)).verified).toBe(true);
    expect((await loadManifests(options)).verified).toBe(true);
    expect(requests).toEqual([
      '/fluxcd/flux2/releases/download/v2.8.0/manifests.tar.gz',
      '/fluxcd/flux2/releases/download/v2.8.0/flux_2.8.0_checksums.txt',
    ]);
  });

  test('a download that does not match the published checksum is refused', async () => {
    const options = { version: 'v2.8.1', baseUrl, cacheDir: work, checksums: {}, env: {} };
    await expect(loadManifests(options)).rejects.toThrow(new RegExp(`not the published 2{64}`));
    expect(existsSync(join(work, 'v2.8.1', 'manifests.tar.gz'))).toBe(false);
  });

  test('a version that does not exist says so', async () => {
    await expect(
      loadManifests({ version: 'v2.6.9', baseUrl, cacheDir: work, env: {} }),
    ).rejects.toThrow(
      /Flux v2.6.9 does not exist at .*\/download\/v2.6.9\/manifests.tar.gz \(HTTP 404\); check --version/,
    );
  });

  test('without network and without a bundle: a message saying exactly that', async () => {
    const closed = createServer();
    await new Promise<void>((resolve) => closed.listen(0, '127.0.0.1', resolve));
    const port = (closed.address() as AddressInfo).port;
    await new Promise<void>((resolve) => closed.close(() => resolve()));
    const error = await loadManifests({
      baseUrl: `http://127.0.0.1:${port}/r`,
      cacheDir: work,
      env: {},
    }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(UserError);
    expect((error as Error).message).toMatch(
      new RegExp(
        `cannot download the Flux ${DEFAULT_FLUX_VERSION} manifests from .*ECONNREFUSED.*no local bundle was given.*--manifests.*FLUX_MANIFESTS.*--manifests-base-url`,
      ),
    );
  });

  test('latest cannot be resolved against a mirror', async () => {
    await expect(
      loadManifests({ version: 'latest', baseUrl, cacheDir: work, env: {} }),
    ).rejects.toThrow(/latest can only be resolved against the Flux releases on GitHub/);
  });
});

describe('manifests source: the embedded manifests', () => {
  // A closed port: any download attempt would fail the test.
  const offline = 'http://127.0.0.1:9/unreachable';

  test('with no version, bundle or mirror: the shipped Flux release manifests, no download', async () => {
    const bundle = await loadManifests({ env: {} });
    expect(EMBEDDED_FLUX_VERSION).toBe(DEFAULT_FLUX_VERSION);
    expect(bundle.version).toBe(EMBEDDED_FLUX_VERSION);
    expect(bundle.origin).toBe(EMBEDDED_MANIFESTS_FILE);
    expect(bundle.verified).toBe(true);
    expect([...bundle.files.keys()].sort()).toEqual(COMPONENT_FILES);
    // The real controllers at the versions Flux 2.9.5 ships, not a test fixture.
    expect(bundle.files.get('source-controller.yaml')).toContain(
      'image: fluxcd/source-controller:v1.9.5',
    );
    expect(bundle.files.get('helm-controller.yaml')).toContain(
      'name: helmreleases.helm.toolkit.fluxcd.io',
    );
  });

  test('the same version named explicitly, or with the GitHub releases URL, is embedded too', async () => {
    for (const options of [
      { version: EMBEDDED_FLUX_VERSION.slice(1) },
      { baseUrl: 'https://github.com/fluxcd/flux2/releases/' },
    ]) {
      expect((await loadManifests({ ...options, env: {} })).origin).toBe(EMBEDDED_MANIFESTS_FILE);
    }
  });

  test('another version, a mirror, --manifests or FLUX_MANIFESTS win over it', async () => {
    await expect(loadManifests({ version: 'v2.9.4', baseUrl: offline, env: {} })).rejects.toThrow(
      /cannot download the Flux v2.9.4 manifests/,
    );
    await expect(loadManifests({ baseUrl: offline, env: {} })).rejects.toThrow(
      new RegExp(`cannot download the Flux ${EMBEDDED_FLUX_VERSION} manifests from ${offline}`),
    );
    expect((await loadManifests({ manifestsPath: FIXTURE_BUNDLE, env: {} })).origin).toBe(
      FIXTURE_BUNDLE,
    );
    expect((await loadManifests({ env: { FLUX_MANIFESTS: FIXTURE_BUNDLE } })).origin).toBe(
      FIXTURE_BUNDLE,
    );
  });
});

describe('manifests source: local bundles', () => {
  let work: string;
  beforeEach(() => (work = mkdtempSync(join(tmpdir(), 'manifests-local-'))));
  afterEach(() => rmSync(work, { recursive: true, force: true }));

  test('a directory with the release layout', async () => {
    const bundle = await loadManifests({
      manifestsPath: FIXTURE_BUNDLE,
      version: 'v2.8.0',
      env: {},
    });
    expect(bundle.version).toBe('v2.8.0');
    expect([...bundle.files.keys()].sort()).toEqual(COMPONENT_FILES);
  });

  test('an archive whose files sit under one directory, named by FLUX_MANIFESTS', async () => {
    const file = join(work, 'manifests.tar.gz');
    writeFileSync(file, await fixtureArchive('./manifests/'));
    const bundle = await loadManifests({ env: { FLUX_MANIFESTS: file } });
    expect(bundle.origin).toBe(file);
    expect([...bundle.files.keys()].sort()).toEqual(COMPONENT_FILES);
  });

  test('an archive with an unsafe path is refused', async () => {
    const file = join(work, 'evil.tar.gz');
    writeFileSync(file, await tarGz({ 'rbac.yaml': '', '../../etc/x.yaml': 'x' }));
    await expect(loadLocalManifests(file, 'v2.9.4')).rejects.toThrow(
      /unsafe path "..\/..\/etc\/x.yaml"/,
    );
  });

  test('something that is not a bundle', async () => {
    await expect(loadLocalManifests(join(work, 'missing'), 'v2.9.4')).rejects.toThrow(
      /does not exist/,
    );
    writeFileSync(join(work, 'x.yaml'), 'a: b');
    await expect(loadLocalManifests(work, 'v2.9.4')).rejects.toThrow(/no rbac.yaml/);
    writeFileSync(join(work, 'x.tgz'), 'plain text');
    await expect(loadLocalManifests(join(work, 'x.tgz'), 'v2.9.4')).rejects.toThrow(
      /not a gzip-compressed tar/,
    );
  });
});

describe('versions', () => {
  test.each([
    [
      'v2.5.1',
      /Flux v2.5.1 is not supported: OCIRepository source.toolkit.fluxcd.io\/v1 needs Flux v2.6.0 or later/,
    ],
    ['1.0.0', /not supported/],
    ['two', /"two" is not a Flux version; give a release version like v2\.9\./],
    ['', /the Flux version is empty/],
  ])('%j is refused before anything is downloaded', async (version, message) => {
    await expect(
      loadManifests({ version, baseUrl: 'http://127.0.0.1:9/none', env: {} }),
    ).rejects.toThrow(message);
  });
});
