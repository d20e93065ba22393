import { execFileSync } from 'node:child_process';
import {
  cpSync,
  mkdirSync,
  mkdtempSync,
  readFileSync,
  readdirSync,
  rmSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { packComponents } from '../../src/bootstrap/build-components.js';
import type { BootstrapOciOptions } from '../../src/bootstrap/options/options.js';
import { resolveBootstrapOptions } from '../../src/bootstrap/options/resolve-options.js';
import {
  upgradeComponents,
  type UpgradeComponentsOptions,
} from '../../src/bootstrap/upgrade-components.js';
import type { ProgressLogger } from '../../src/bootstrap/progress-logger.js';
import { pushArtifact, readLayer } from '../../src/oci/index.js';
import { fluxArtifact } from '../support/artifacts.js';
import { startFaultProxy } from '../support/fault-proxy.js';
import { blobOf, rawArtifact, rawTarGz } from '../support/raw-artifacts.js';
import { startRegistry, type TestRegistry } from '../support/registry.js';

const fixtures = join(dirname(fileURLToPath(import.meta.url)), '..', 'fixtures');
const oldBundle = join(fixtures, 'flux-bundle');
const user = { username: 'flux', password: 'upgrade-s3cret' };
const access = { credentials: user, allowInsecureHttp: true, useAuthFile: false } as const;

const KUSTOMIZATION = `apiVersion: kustomize.config.k8s.io/v1beta1
kind: Kustomization
resources:
  - gotk-components.yaml
patches:
  - path: proxy.yaml
    target: {kind: Deployment, name: source-controller}
`;
const PROXY_PATCH = `- op: add
  path: /spec/template/spec/containers/0/env/-
  value: {name: HTTPS_PROXY, value: "http://proxy.internal:3128"}
`;

/** What skopeo reads from the registry: the manifest the tag names, its digest and layer files. */
interface Remote {
  readonly digest: string;
  readonly annotations: Record<string, string>;
  readonly files: Map<string, string>;
}

describe('upgradeComponents against a registry with basic auth', () => {
  let registry: TestRegistry;
  let work: string;
  let newBundle: string;
  let authFile: string;
  let repo = 0;

  beforeAll(async () => {
    registry = await startRegistry({ htpasswd: user });
    work = mkdtempSync(join(tmpdir(), 'upgrade-test-'));
    // The "new release": the fixture bundle with newer controller images, so the test sees
    // the regenerated file really comes from the bundle of the new version.
    newBundle = join(work, 'bundle-new');
    cpSync(oldBundle, newBundle, { recursive: true });
    for (const file of readdirSync(newBundle)) {
      const path = join(newBundle, file);
      writeFileSync(
        path,
        readFileSync(path, 'utf8').replace(/(image: fluxcd\/[a-z-]+:)v[0-9.]+/g, '$1v9.9.9'),
      );
    }
    writeFileSync(join(work, 'kustomization.yaml'), KUSTOMIZATION);
    writeFileSync(join(work, 'proxy.yaml'), PROXY_PATCH);
    authFile = join(work, 'auth.json');
    const auth = Buffer.from(`${user.username}:${user.password}`).toString('base64');
    writeFileSync(authFile, JSON.stringify({ auths: { [registry.host]: { auth } } }));
  });
  afterAll(async () => {
    await registry?.stop();
    rmSync(work, { recursive: true, force: true });
  });

  const nextUrl = (): string => `oci://${registry.host}/flux/components-${++repo}:production`;

  /** Pushes what `bootstrap oci` pushes for these options; returns its digest. */
  async function bootstrap(url: string, extra: Partial<BootstrapOciOptions> = {}): Promise<string> {
    const packed = await packComponents(resolveBootstrapOptions(bootstrapOptions(url, extra)));
    return (await pushArtifact(url, packed.artifact, access)).digest;
  }

  function bootstrapOptions(url: string, extra: Partial<BootstrapOciOptions>) {
    return {
      url,
      manifests: oldBundle,
      version: 'v2.8.0',
      kustomization: join(work, 'kustomization.yaml'),
      registry: 'registry.example.com/fluxcd',
      tolerationKeys: ['infra'],
      componentsExtra: ['source-watcher'],
      logLevel: 'debug' as const,
      ...extra,
    };
  }

  function upgrade(url: string, extra: Partial<UpgradeComponentsOptions> = {}) {
    return upgradeComponents({
      url,
      version: 'v2.9.5',
      manifests: newBundle,
      username: user.username,
      password: user.password,
      allowInsecureHttp: true,
      ...extra,
    });
  }

  function skopeo(args: string[]): Buffer {
    return execFileSync('skopeo', [...args], { stdio: ['ignore', 'pipe', 'pipe'] });
  }

  function readRemote(url: string): Remote {
    const ref = `docker://${url.slice('oci://'.length)}`;
    const raw = skopeo(['inspect', '--raw', '--tls-verify=false', '--authfile', authFile, ref]);
    const manifest = JSON.parse(raw.toString('utf8')) as {
      annotations: Record<string, string>;
      layers: { digest: string }[];
    };
    const dir = mkdtempSync(join(work, 'skopeo-'));
    try {
      skopeo(['copy', '--src-tls-verify=false', '--src-authfile', authFile, ref, `dir:${dir}`]);
      const layer = readFileSync(join(dir, manifest.layers[0].digest.slice('sha256:'.length)));
      const files = new Map<string, string>();
      for (const entry of readLayer(layer)) {
        if (entry.kind === 'file') files.set(entry.name, Buffer.from(entry.content).toString());
      }
      return {
        digest: `sha256:${execFileSync('sha256sum', { input: raw }).toString().slice(0, 64)}`,
        annotations: manifest.annotations,
        files,
      };
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  }

  test('moves the tag to the components of the new version, keeping the kustomization and install options', async () => {
    const url = nextUrl();
    const before = await bootstrap(url);
    const lines: string[] = [];
    const result = await upgrade(url, { logger: recordingLogger(lines) });

    expect(result).toEqual({
      reference: url.slice('oci://'.length),
      previousVersion: 'v2.8.0',
      previousDigest: before,
      version: 'v2.9.5',
      digest: expect.stringMatching(/^sha256:[a-f0-9]{64}$/),
      changed: true,
    });
    expect(result.digest).not.toBe(before);
    const remote = readRemote(url);
    expect(remote.digest).toBe(result.digest);
    expect(remote.annotations['org.opencontainers.image.source']).toBe(
      'https://github.com/fluxcd/flux2',
    );
    expect(remote.annotations['org.opencontainers.image.revision']).toBe('v2.9.5');
    expect(remote.annotations['org.opencontainers.image.created']).toBe('1970-01-01T00:00:00Z');
    expect([...remote.files.keys()].sort()).toEqual([
      'flux-system/gotk-components.yaml',
      'flux-system/kustomization.yaml',
      'flux-system/proxy.yaml',
    ]);
    expect(remote.files.get('flux-system/kustomization.yaml')).toBe(KUSTOMIZATION);
    expect(remote.files.get('flux-system/proxy.yaml')).toBe(PROXY_PATCH);
    const components = remote.files.get('flux-system/gotk-components.yaml')!;
    expect(components).toContain('# Flux Version: v2.9.5\n');
    expect(components).toContain(
      '# Components: source-controller,kustomize-controller,helm-controller,notification-controller,source-watcher\n',
    );
    expect(components).toContain('image: registry.example.com/fluxcd/source-controller:v9.9.9');
    expect(components).toContain('key: infra');
    expect(components).toContain('--log-level=debug');
    expect(components).not.toContain('v2.8.0');

    // Exactly what `bootstrap oci` would push for v2.9.5 with the same options: a later
    // deploy of the new version finds the artifact already there.
    const fresh = await packComponents(
      resolveBootstrapOptions(bootstrapOptions(url, { version: 'v2.9.5', manifests: newBundle })),
    );
    expect(fresh.artifact.manifest.descriptor.digest).toBe(result.digest);

    expect(lines).toEqual([
      `► pulling components artifact ${registry.host}/flux/components-${repo}:production`,
      `✔ pulled ${registry.host}/flux/components-${repo}@${before} (Flux v2.8.0)`,
      '► generating Flux v2.9.5 component manifests',
      expect.stringMatching(
        /^✔ generated Flux v2.9.5 component manifests \(\d+ objects\), flux-system\/kustomization.yaml kept$/,
      ),
      `► pushing components artifact to ${registry.host}/flux/components-${repo}@${result.digest}`,
      `✔ components artifact pushed to ${registry.host}/flux/components-${repo}@${result.digest}`,
      `► moving tag ${registry.host}/flux/components-${repo}:production from ${before} to ${result.digest}`,
      `✔ ${registry.host}/flux/components-${repo}:production now points at ${result.digest}: Flux updates itself to v2.9.5 at its next reconciliation`,
    ]);
  });

  test('a second run for the same version pushes nothing and says so', async () => {
    const url = nextUrl();
    await bootstrap(url);
    const first = await upgrade(url);
    const lines: string[] = [];
    const second = await upgrade(url, { logger: recordingLogger(lines), revision: 'other' });
    expect(second).toEqual({
      ...first,
      previousVersion: 'v2.9.5',
      previousDigest: first.digest,
      changed: false,
    });
    expect(readRemote(url).digest).toBe(first.digest);
    expect(lines).toContain(
      `✔ ${url.slice('oci://'.length)} is already at Flux v2.9.5 with these options: nothing to push`,
    );
  });

  test('--source and --revision annotate the new artifact; flags override the artifact options', async () => {
    const url = nextUrl();
    await bootstrap(url);
    const revision = 'main@sha1:0123456789abcdef0123456789abcdef01234567';
    await upgrade(url, {
      source: 'https://github.com/acme/platform',
      revision,
      logLevel: 'info',
      componentsExtra: ['image-reflector-controller'],
    });
    const remote = readRemote(url);
    expect(remote.annotations['org.opencontainers.image.source']).toBe(
      'https://github.com/acme/platform',
    );
    expect(remote.annotations['org.opencontainers.image.revision']).toBe(revision);
    const components = remote.files.get('flux-system/gotk-components.yaml')!;
    expect(components).toContain('--log-level=info');
    expect(components).not.toContain('--log-level=debug');
    expect(components).toContain(
      '# Components: source-controller,kustomize-controller,helm-controller,notification-controller,source-watcher,image-reflector-controller\n',
    );
    // Not given: still the artifact's.
    expect(components).toContain(
      'image: registry.example.com/fluxcd/image-reflector-controller:v9.9.9',
    );
  });

  test('an artifact without a user kustomization keeps the default one', async () => {
    const url = nextUrl();
    await bootstrap(url, { kustomization: undefined, registry: undefined });
    const result = await upgrade(url);
    const remote = readRemote(url);
    expect(remote.digest).toBe(result.digest);
    expect([...remote.files.keys()].sort()).toEqual([
      'flux-system/gotk-components.yaml',
      'flux-system/kustomization.yaml',
    ]);
    expect(remote.files.get('flux-system/gotk-components.yaml')).toContain(
      'image: ghcr.io/fluxcd/source-controller:v9.9.9',
    );
  });

  test('finds the namespace the artifact was built for', async () => {
    const url = nextUrl();
    await bootstrap(url, { namespace: 'gitops', kustomization: undefined });
    const result = await upgrade(url);
    expect(result.changed).toBe(true);
    const remote = readRemote(url);
    expect([...remote.files.keys()].sort()).toEqual([
      'gitops/gotk-components.yaml',
      'gitops/kustomization.yaml',
    ]);
    expect(remote.files.get('gitops/gotk-components.yaml')).toContain('namespace: gitops');
    await expect(upgrade(url, { namespace: 'flux-system' })).rejects.toThrow(
      `${url.slice('oci://'.length)} has no flux-system/gotk-components.yaml (found: gitops/gotk-components.yaml); check --namespace and --url`,
    );
  });

  test('an artifact that is not a components artifact is refused and left alone', async () => {
    const url = nextUrl();
    const fleet = fluxArtifact({ 'clusters/production/kustomization.yaml': 'resources: []\n' });
    await pushArtifact(url, fleet, access);
    await expect(upgrade(url)).rejects.toThrow(
      `${url.slice('oci://'.length)} has no <namespace>/gotk-components.yaml, so it is not a Flux components artifact; check --url`,
    );
    expect(readRemote(url).digest).toBe(fleet.manifest.descriptor.digest);
  });

  test('a layer with a link is refused before anything is written', async () => {
    const url = nextUrl();
    const layer = await rawTarGz([
      { name: 'flux-system/gotk-components.yaml', content: '---\n' },
      { name: 'flux-system/kustomization.yaml', type: 'symlink', linkname: '/etc/passwd' },
    ]);
    const hostile = rawArtifact([blobOf('application/vnd.cncf.flux.content.v1.tar+gzip', layer)]);
    await pushArtifact(url, hostile, access);
    await expect(upgrade(url)).rejects.toThrow(
      `${url.slice('oci://'.length)} holds symlink flux-system/kustomization.yaml; a components artifact holds only files`,
    );
    expect(readRemote(url).digest).toBe(hostile.manifest.descriptor.digest);
  });

  test('refuses a downgrade unless allowed, and versions older than 2.6 always; the tag stays', async () => {
    const url = nextUrl();
    const before = await bootstrap(url);
    await expect(upgrade(url, { version: 'v2.7.0' })).rejects.toThrow(
      "Flux v2.7.0 is older than the artifact's v2.8.0: a downgrade can leave custom resources in versions the older controllers do not serve; give --version v2.8.0 or newer, or pass --allow-downgrade",
    );
    await expect(upgrade(url, { version: '2.5.0', allowDowngrade: true })).rejects.toThrow(
      /Flux 2.5.0 is not supported: OCIRepository source.toolkit.fluxcd.io\/v1 needs Flux v2.6.0 or later/,
    );
    expect(readRemote(url).digest).toBe(before);
    const downgraded = await upgrade(url, { version: 'v2.7.0', allowDowngrade: true });
    expect(downgraded.version).toBe('v2.7.0');
    expect(readRemote(url).digest).toBe(downgraded.digest);
  });

  test('a wrong password fails before anything is pushed', async () => {
    const url = nextUrl();
    const before = await bootstrap(url);
    await expect(upgrade(url, { password: 'wrong' })).rejects.toThrow(
      `registry ${registry.host} rejected the credentials for user 'flux' (401)`,
    );
    expect(readRemote(url).digest).toBe(before);
  });

  test("a user name with ':' is refused before any registry call", async () => {
    const url = nextUrl();
    await expect(upgrade(url, { username: 'flux:admin' })).rejects.toThrow(
      "--username 'flux:admin' contains ':', which HTTP Basic auth's user-id cannot hold",
    );
  });

  test('a timeout a Node.js timer cannot wait is refused naming the flag', async () => {
    await expect(upgrade(nextUrl(), { timeout: '9999999h' })).rejects.toThrow(
      "invalid --timeout '9999999h': longer than 596h31m23s",
    );
  });

  test('a missing tag is a clear error', async () => {
    await expect(upgrade(`oci://${registry.host}/flux/components-none:production`)).rejects.toThrow(
      `artifact ${registry.host}/flux/components-none:production not found: check the repository and tag`,
    );
  });

  test('a patch that no longer applies stops the upgrade before the push', async () => {
    const url = nextUrl();
    const dir = join(work, 'helm-patch');
    mkdirSync(dir);
    writeFileSync(
      join(dir, 'kustomization.yaml'),
      `${KUSTOMIZATION}patchesStrategicMerge:\n  - helm.yaml\n`,
    );
    writeFileSync(join(dir, 'proxy.yaml'), PROXY_PATCH);
    writeFileSync(
      join(dir, 'helm.yaml'),
      'apiVersion: apps/v1\nkind: Deployment\nmetadata: {name: helm-controller, namespace: flux-system}\nspec: {replicas: 2}\n',
    );
    const before = await bootstrap(url, { kustomization: join(dir, 'kustomization.yaml') });
    await expect(
      upgrade(url, { components: ['source-controller', 'kustomize-controller'] }),
    ).rejects.toThrow(/no object matches the patch for Deployment\/helm-controller/);
    expect(readRemote(url).digest).toBe(before);
    const tags = JSON.parse(
      skopeo([
        'list-tags',
        '--tls-verify=false',
        '--authfile',
        authFile,
        `docker://${url.slice('oci://'.length).replace(/:production$/, '')}`,
      ]).toString(),
    ) as { Tags: string[] };
    expect(tags.Tags).toEqual(['production']);
  });

  test('a failed manifest upload leaves the tag where it was', async () => {
    const url = nextUrl();
    const before = await bootstrap(url);
    const proxy = await startFaultProxy({
      target: registry.host,
      fault: (req) =>
        req.method === 'PUT' && req.url.includes('/manifests/sha256:')
          ? { status: 400 }
          : undefined,
    });
    try {
      await expect(upgrade(url.replace(registry.host, proxy.host))).rejects.toThrow(
        /failed to .* \(400\)/,
      );
      expect(
        proxy.log.some((r) => r.method === 'PUT' && r.url.endsWith('/manifests/production')),
      ).toBe(false);
    } finally {
      await proxy.stop();
    }
    expect(readRemote(url).digest).toBe(before);
  });

  test('a tag moved by someone else during the upgrade is left alone', async () => {
    const url = nextUrl();
    await bootstrap(url);
    const other = await bootstrap(url.replace(':production', ':other'), { logLevel: 'error' });
    const host = url.slice('oci://'.length);
    const logger: ProgressLogger = {
      ...recordingLogger([]),
      step: (message) => {
        // Blocks the event loop, so the tag has moved before the upgrade checks it.
        if (message.startsWith('moving tag')) {
          skopeo([
            'copy',
            '--src-tls-verify=false',
            '--dest-tls-verify=false',
            '--authfile',
            authFile,
            `docker://${host.replace(':production', '')}@${other}`,
            `docker://${host}`,
          ]);
        }
      },
    };
    await expect(upgrade(url, { logger })).rejects.toThrow(
      new RegExp(`the tag ${host} moved to ${other} during the upgrade .*; it was left as it is`),
    );
    expect(readRemote(url).digest).toBe(other);
  });
});

function recordingLogger(lines: string[]): ProgressLogger {
  return {
    step: (m) => lines.push(`► ${m}`),
    success: (m) => lines.push(`✔ ${m}`),
    failure: (m) => lines.push(`✗ ${m}`),
    waiting: (m) => lines.push(`◎ ${m}`),
  };
}
