import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { resolveArtifact } from '../../../src/oci/registry/resolve.js';
import {
  loadCosignKey,
  pushSignedArtifact,
  type CosignSigner,
} from '../../../src/oci/signing/index.js';
import { fluxArtifact, writeTree } from '../../support/artifacts.js';
import { runCli } from '../../support/cli.js';
import { plainKeyPair } from '../../support/plain-key-pair.js';
import { startFaultProxy, type FaultProxy } from '../../support/fault-proxy.js';
import { startRegistry, type TestRegistry } from '../../support/registry.js';

const SIGNATURE_PUT = /^\/v2\/.+\/manifests\/sha256-[0-9a-f]{64}\.sig$/;

// A real registry; a proxy in front of it refuses the signature's manifest, as a registry
// that forbids the tag would. The tag must then stay where it was.
describe('a signed push moves the tag only once the signature is stored', () => {
  let registry: TestRegistry;
  let dir: string;
  let signer: CosignSigner;
  let n = 0;
  const proxies: FaultProxy[] = [];

  beforeAll(async () => {
    registry = await startRegistry();
    dir = mkdtempSync(join(tmpdir(), 'flux-oci-signed-push-'));
    signer = loadCosignKey(plainKeyPair(dir, 'plain').key, undefined);
  });
  afterAll(async () => {
    for (const proxy of proxies) await proxy.stop();
    await registry?.stop();
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  const repo = (): string => `signed-order/app${++n}`;
  const refusingSignatures = async (): Promise<FaultProxy> => {
    const proxy = await startFaultProxy({
      target: registry.host,
      fault: (r) => (r.method === 'PUT' && SIGNATURE_PUT.test(r.url) ? { status: 403 } : undefined),
    });
    proxies.push(proxy);
    return proxy;
  };
  const v1 = fluxArtifact({ 'app.yaml': 'kind: ConfigMap\nmetadata:\n  name: one\n' });
  const v2 = fluxArtifact({ 'app.yaml': 'kind: ConfigMap\nmetadata:\n  name: two\n' });

  it('writes the signature before the tag', async () => {
    const proxy = await startFaultProxy({ target: registry.host });
    proxies.push(proxy);
    const repository = repo();
    await pushSignedArtifact(`oci://${proxy.host}/${repository}:v1`, v1, signer);
    const puts = proxy.log.filter((r) => r.method === 'PUT' && r.url.includes('/manifests/'));
    expect(puts.map((r) => r.url.replace(/.*\/manifests\//, ''))).toEqual([
      v1.manifest.descriptor.digest,
      `${v1.manifest.descriptor.digest.replace(':', '-')}.sig`,
      'v1',
    ]);
  });

  it('leaves the tag on the signed artifact when the new signature is refused', async () => {
    const repository = repo();
    await pushSignedArtifact(`oci://${registry.host}/${repository}:v1`, v1, signer);
    const proxy = await refusingSignatures();
    await expect(
      pushSignedArtifact(`oci://${proxy.host}/${repository}:v1`, v2, signer),
    ).rejects.toThrow(/403/);
    const tagged = await resolveArtifact(`oci://${registry.host}/${repository}:v1`);
    expect(tagged?.digest).toBe(v1.manifest.descriptor.digest);
  });

  it('push artifact --cosign-key fails and leaves the tag alone when signing fails', async () => {
    const repository = repo();
    await pushSignedArtifact(`oci://${registry.host}/${repository}:v1`, v1, signer);
    const proxy = await refusingSignatures();
    const tree = writeTree({ 'app.yaml': 'kind: ConfigMap\nmetadata:\n  name: three\n' });
    try {
      const result = await runCli([
        'push',
        'artifact',
        `oci://${proxy.host}/${repository}:v1`,
        `--path=${tree}`,
        '--source=https://github.com/example/fleet',
        '--revision=main@sha1:0123456789abcdef0123456789abcdef01234567',
        `--cosign-key=${join(dir, 'plain.key')}`,
      ]);
      expect(result.stderr).toMatch(/403/);
      expect(result.code).not.toBe(0);
    } finally {
      rmSync(tree, { recursive: true, force: true });
    }
    const tagged = await resolveArtifact(`oci://${registry.host}/${repository}:v1`);
    expect(tagged?.digest).toBe(v1.manifest.descriptor.digest);
  });
});
