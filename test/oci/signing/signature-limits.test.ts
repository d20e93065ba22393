// A hostile `.sig` image cannot make flux-oci read without end: cosign's limits (1000
// signature layers, 128 MiB a payload) apply, with one clear line, before any payload is read.
import { jest } from '@jest/globals';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { uploadBlob } from '../../../src/oci/registry/api/blobs.js';
import { getManifest, putManifest } from '../../../src/oci/registry/api/manifests.js';
import { pushArtifact, RegistryClient } from '../../../src/oci/registry/index.js';
import { toReference } from '../../../src/oci/registry/operation.js';
import {
  loadCosignKey,
  loadPublicKey,
  signArtifact,
  signatureTag,
  verifyArtifact,
  type CosignSigner,
} from '../../../src/oci/signing/index.js';
import {
  signatureImage,
  signatureLayers,
  type SignatureLayer,
} from '../../../src/oci/signing/signature-image.js';
import { fluxArtifact } from '../../support/artifacts.js';
import { cosignBinary, cosignVerify } from '../../support/cosign-cli.js';
import { plainKeyPair } from '../../support/plain-key-pair.js';
import { startFaultProxy, type FaultProxy } from '../../support/fault-proxy.js';
import { startRegistry, type TestRegistry } from '../../support/registry.js';

jest.setTimeout(120_000);

describe('cosign limits on signature images', () => {
  let registry: TestRegistry;
  let proxy: FaultProxy;
  let client: RegistryClient;
  let dir: string;
  let signer: CosignSigner;
  let n = 0;

  beforeAll(async () => {
    cosignBinary();
    registry = await startRegistry();
    proxy = await startFaultProxy({ target: registry.host });
    client = new RegistryClient(registry.host, { useAuthFile: false });
    dir = mkdtempSync(join(tmpdir(), 'flux-oci-sig-limits-'));
    plainKeyPair(dir, 'plain');
    signer = loadCosignKey(join(dir, 'plain.key'), undefined);
  });
  afterAll(async () => {
    await client?.close();
    await proxy?.stop();
    await registry?.stop();
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  /** A signed artifact whose `.sig` image is then rewritten to hold `layers(valid)`. */
  async function signedWith(
    layers: (valid: SignatureLayer) => SignatureLayer[],
  ): Promise<{ repository: string; digest: string }> {
    const repository = `limits/app${++n}`;
    const artifact = fluxArtifact({ 'a.yaml': `n: ${n}\n` });
    const { digest } = await pushArtifact(`oci://${registry.host}/${repository}:v1`, artifact, {
      client,
    });
    await signArtifact(toReference(`oci://${registry.host}/${repository}`), digest, signer, {
      client,
    });
    const tag = signatureTag(digest);
    const [valid] = signatureLayers((await getManifest(client, repository, tag)).bytes)!;
    const image = signatureImage(layers(valid));
    await uploadBlob(client, repository, image.config, {});
    await putManifest(
      client,
      repository,
      tag,
      image.manifest.bytes,
      image.manifest.descriptor.mediaType,
    );
    return { repository, digest };
  }
  const blobReads = (repository: string): number =>
    proxy.log.filter((r) => r.method === 'GET' && r.url.startsWith(`/v2/${repository}/blobs/`))
      .length;

  it('refuses more than 1000 signature layers before reading any, as cosign does', async () => {
    const { repository } = await signedWith((valid) => Array(1001).fill(valid));
    await expect(
      verifyArtifact(`oci://${proxy.host}/${repository}:v1`, loadPublicKey(join(dir, 'plain.pub'))),
    ).rejects.toThrow(/holds 1001 signature layers, more than the 1000 cosign reads/);
    expect(blobReads(repository)).toBe(0);
    const theirs = await cosignVerify(
      dir,
      join(dir, 'plain.pub'),
      `${registry.host}/${repository}:v1`,
    );
    expect(theirs.code).not.toBe(0);
    expect(theirs.stderr).toContain('number of layers (1001) exceeded the limit (1000)');
  });

  it('refuses a payload over 128 MiB without reading it', async () => {
    const { repository } = await signedWith((valid) => [
      { ...valid, size: 128 * 1024 * 1024 + 1 },
      valid,
    ]);
    await expect(
      verifyArtifact(`oci://${proxy.host}/${repository}:v1`, loadPublicKey(join(dir, 'plain.pub'))),
    ).rejects.toThrow(
      /signature 1 has a payload of 134217729 bytes, more than the 134217728 \(128 MiB\) cosign reads/,
    );
    expect(blobReads(repository)).toBe(0);
  });

  it('will not add a signature cosign would never read', async () => {
    const { repository, digest } = await signedWith((valid) => Array(1000).fill(valid));
    const fresh = loadCosignKey(plainKeyPair(dir, 'fresh').key, undefined);
    await expect(
      signArtifact(toReference(`oci://${registry.host}/${repository}`), digest, fresh, { client }),
    ).rejects.toThrow(/holds 1000 signatures already, the 1000 cosign reads at most/);
  });
});
