// The install phase's downgrade guard against a real registry: a components tag moved to a
// newer Flux (RFC story 4) is not moved back by a bootstrap with the older version.
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { packComponents } from '../../src/bootstrap/build-components.js';
import { checkNotDowngrade, isOlderFlux } from '../../src/bootstrap/downgrade-guard.js';
import { resolveBootstrapOptions } from '../../src/bootstrap/options/resolve-options.js';
import { pushArtifact, resolveArtifact } from '../../src/oci/index.js';
import type { Artifact } from '../../src/oci/content/descriptor.js';
import { fluxArtifact } from '../support/artifacts.js';
import { startRegistry, type TestRegistry } from '../support/registry.js';

const bundle = join(dirname(fileURLToPath(import.meta.url)), '..', 'fixtures', 'flux-bundle');
const user = { username: 'flux', password: 'guard-s3cret' };
const access = { credentials: user, allowInsecureHttp: true, useAuthFile: false } as const;

describe('checkNotDowngrade', () => {
  let registry: TestRegistry;
  let repo = 0;
  const artifacts = new Map<string, Artifact>();

  beforeAll(async () => {
    registry = await startRegistry({ htpasswd: user });
  }, 60_000);
  afterAll(async () => {
    await registry?.stop();
  }, 60_000);

  const nextUrl = (): string => `oci://${registry.host}/flux/components-${++repo}:production`;

  /** The components artifact bootstrap pushes for this Flux version (built once). */
  async function components(version: string): Promise<Artifact> {
    let artifact = artifacts.get(version);
    if (!artifact) {
      const options = resolveBootstrapOptions({ url: nextUrl(), manifests: bundle, version });
      artifact = (await packComponents(options)).artifact;
      artifacts.set(version, artifact);
    }
    return artifact;
  }

  const guard = (url: string, artifact: Artifact, allowDowngrade = false) =>
    checkNotDowngrade({ url, namespace: 'flux-system', allowDowngrade }, artifact, access);

  test('refuses to move a tag at a newer Flux back, naming both versions and the fix', async () => {
    const url = nextUrl();
    const newer = await components('v2.9.5');
    await pushArtifact(url, newer, access);
    const digest = newer.manifest.descriptor.digest;
    await expect(guard(url, await components('v2.8.0'))).rejects.toThrow(
      `${url} points at Flux v2.9.5 (${digest}), and this bootstrap would move it back to Flux v2.8.0: ` +
        'a downgrade can leave custom resources in versions the older controllers do not serve; ' +
        'set --version (version) to v2.9.5 or newer, or pass --allow-downgrade (allowDowngrade) to downgrade',
    );
    expect((await resolveArtifact(url, access))?.digest).toBe(digest);
  });

  test('allowDowngrade lets it through', async () => {
    const url = nextUrl();
    await pushArtifact(url, await components('v2.9.5'), access);
    await expect(guard(url, await components('v2.8.0'), true)).resolves.toBeUndefined();
  });

  test('a missing tag, the same artifact, the same or a newer version are no downgrade', async () => {
    const url = nextUrl();
    await expect(guard(url, await components('v2.8.0'))).resolves.toBeUndefined();
    await pushArtifact(url, await components('v2.8.0'), access);
    await expect(guard(url, await components('v2.8.0'))).resolves.toBeUndefined();
    await expect(guard(url, await components('v2.9.5'))).resolves.toBeUndefined();
  });

  test('a tag at an artifact without a "# Flux Version:" header is not judged', async () => {
    const url = nextUrl();
    const other = fluxArtifact({ 'flux-system/gotk-components.yaml': 'kind: List\n' });
    await pushArtifact(url, other, access);
    await expect(guard(url, await components('v2.8.0'))).resolves.toBeUndefined();
  });

  test('isOlderFlux compares as semver', () => {
    expect(isOlderFlux('v2.8.0', 'v2.9.5')).toBe(true);
    expect(isOlderFlux('v2.10.0', 'v2.9.5')).toBe(false);
    expect(isOlderFlux('v2.9.5', 'v2.9.5')).toBe(false);
    expect(isOlderFlux('v2.9.0-rc.1', 'v2.9.0')).toBe(true);
  });
});
