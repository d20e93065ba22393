import { jest } from '@jest/globals';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { bootstrapSigner } from '../../../src/bootstrap/artifact-signing.js';
import { resolveBootstrapOptions } from '../../../src/bootstrap/options/resolve-options.js';
import { blobOf } from '../../../src/oci/content/descriptor.js';
import { blobExists, uploadBlob } from '../../../src/oci/registry/api/blobs.js';
import { getManifest, putManifest } from '../../../src/oci/registry/api/manifests.js';
import { pushArtifact, RegistryClient } from '../../../src/oci/registry/index.js';
import { signatureImage, signatureLayers } from '../../../src/oci/signing/signature-image.js';
import {
  SIGNATURE_ANNOTATION,
  signatureTag,
  simpleSigningPayload,
} from '../../../src/oci/signing/index.js';
import { fluxArtifact, writeTree } from '../../support/artifacts.js';
import { runCli } from '../../support/cli.js';
import { cosignBinary, cosignSign, cosignVerify, runCosign } from '../../support/cosign-cli.js';
import { plainKeyPair } from '../../support/plain-key-pair.js';
import { startRegistry, type TestRegistry } from '../../support/registry.js';

// A real registry, the real cosign (built on first use) and scrypt at cosign's cost.
jest.setTimeout(180_000);

const PASSWORD = 'correct horse battery staple';

// The real cosign is the oracle both ways: what flux-oci signs, cosign verifies, and what
// cosign signs, flux-oci verifies; tampering, another key and no signature fail in both.
describe('cosign signatures, checked against the real cosign CLI', () => {
  let registry: TestRegistry;
  let dir: string;
  let client: RegistryClient;
  let tree: string;
  let n = 0;

  beforeAll(async () => {
    cosignBinary();
    registry = await startRegistry();
    client = new RegistryClient(registry.host, { useAuthFile: false });
    dir = mkdtempSync(join(tmpdir(), 'flux-oci-cosign-'));
    tree = writeTree({ 'app.yaml': 'apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: app\n' });
    // cosign's own key format, as users have it: encrypted with COSIGN_PASSWORD.
    const generated = await runCosign(['generate-key-pair'], {
      cwd: dir,
      env: { COSIGN_PASSWORD: PASSWORD },
    });
    expect(generated.code).toBe(0);
    // A plain PKCS#8 EC P-256 key, and its public key, from openssl.
    plainKeyPair(dir, 'plain');
  });
  afterAll(async () => {
    await client?.close();
    await registry?.stop();
    if (dir) rmSync(dir, { recursive: true, force: true });
    if (tree) rmSync(tree, { recursive: true, force: true });
  });

  const key = (name: string): string => join(dir, name);
  /** A fresh repository per test, so signatures of one test never meet another's. */
  const repo = (): string => `${registry.host}/signed/app${++n}`;

  async function pushSigned(
    repository: string,
    cosignKey: string | undefined,
    env: Record<string, string | undefined> = { COSIGN_PASSWORD: PASSWORD },
  ): Promise<{ code: number; stderr: string; digest?: string; signature?: string }> {
    const result = await runCli(
      [
        'push',
        'artifact',
        `oci://${repository}:v1`,
        `--path=${tree}`,
        '--source=https://github.com/example/fleet',
        '--revision=main@sha1:0123456789abcdef0123456789abcdef01234567',
        '--reproducible',
        ...(cosignKey ? [`--cosign-key=${cosignKey}`] : []),
        '-o',
        'json',
      ],
      { env },
    );
    const output =
      result.code === 0
        ? (JSON.parse(result.stdout) as { digest: string; signature?: string })
        : undefined;
    return { code: result.code, stderr: result.stderr, ...output };
  }

  async function flux(
    ...args: string[]
  ): Promise<{ code: number; stdout: string; stderr: string }> {
    return runCli(args, { env: { COSIGN_PASSWORD: undefined } });
  }

  /** `flux-oci verify artifact <repository>:v1 --key=<pub>`. */
  function fluxVerify(
    repository: string,
    pub: string,
    ...args: string[]
  ): Promise<{ code: number; stdout: string; stderr: string }> {
    return flux('verify', 'artifact', `oci://${repository}:v1`, `--key=${key(pub)}`, ...args);
  }

  /** Pushes `files` to `<repository>:v1` unsigned; its digest. */
  async function pushUnsigned(repository: string, files: Record<string, string>): Promise<string> {
    return (await pushArtifact(`oci://${repository}:v1`, fluxArtifact(files), { client })).digest;
  }

  /** The real cosign signs `<repository>@<digest>` with cosign.key. */
  async function cosignSigns(repository: string, digest: string): Promise<void> {
    const signed = await cosignSign(dir, 'cosign.key', `${repository}@${digest}`, PASSWORD);
    expect(signed.code).toBe(0);
  }

  it('signs with the key cosign generate-key-pair wrote, and cosign verify accepts it', async () => {
    const repository = repo();
    const pushed = await pushSigned(repository, key('cosign.key'));
    expect(pushed.stderr).toBe('');
    expect(pushed.code).toBe(0);
    expect(pushed.signature).toBe(`${repository}:${signatureTag(pushed.digest!)}`);
    const verified = await cosignVerify(dir, key('cosign.pub'), `${repository}:v1`);
    expect(verified.stderr).toContain(
      'The signatures were verified against the specified public key',
    );
    expect(verified.code).toBe(0);
    const payloads = JSON.parse(verified.stdout) as {
      critical: { image: Record<string, string> };
    }[];
    expect(payloads.map((p) => p.critical.image['docker-manifest-digest'])).toEqual([
      pushed.digest,
    ]);
  });

  it('signs with a plain PKCS#8 EC P-256 key, and cosign verify accepts it', async () => {
    const repository = repo();
    const pushed = await pushSigned(repository, key('plain.key'), { COSIGN_PASSWORD: undefined });
    expect(pushed.code).toBe(0);
    const verified = await cosignVerify(dir, key('plain.pub'), `${repository}@${pushed.digest!}`);
    expect(verified.code).toBe(0);
  });

  it('writes the payload and config bytes cosign writes for the same digest', async () => {
    const repository = repo();
    const digest = await pushUnsigned(repository, { 'a.yaml': 'a: 1\n' });
    await cosignSigns(repository, digest);
    const path = repository.slice(registry.host.length + 1);
    const manifest = JSON.parse(
      (await getManifest(client, path, signatureTag(digest))).bytes.toString(),
    ) as { config: { digest: string }; layers: { digest: string; mediaType: string }[] };
    const payload = simpleSigningPayload({ dockerReference: repository, digest });
    expect(manifest.layers.map((l) => [l.mediaType, l.digest])).toEqual([
      ['application/vnd.dev.cosign.simplesigning.v1+json', blobOf('', payload).descriptor.digest],
    ]);
    const ours = signatureImage(signatureLayers(Buffer.from(JSON.stringify(manifest)))!);
    expect(ours.config.descriptor.digest).toBe(manifest.config.digest);
  });

  it("verifies cosign's signature with flux-oci verify artifact", async () => {
    const repository = repo();
    const digest = await pushUnsigned(repository, { 'b.yaml': 'b: 1\n' });
    await cosignSigns(repository, digest);
    const verified = await fluxVerify(repository, 'cosign.pub', '-o', 'json');
    expect(verified.stderr).toBe('');
    expect(verified.code).toBe(0);
    expect(JSON.parse(verified.stdout)).toEqual({
      url: `oci://${repository}@${digest}`,
      digest,
      signature: `${repository}:${signatureTag(digest)}`,
      verified: true,
    });
  });

  it("keeps cosign's signature when signing the same digest with another key, once", async () => {
    const repository = repo();
    const unsigned = await pushSigned(repository, undefined);
    expect(unsigned.signature).toBeUndefined();
    const digest = unsigned.digest!;
    await cosignSigns(repository, digest);
    // The same content again (reproducible: the same digest), signed with another key.
    expect((await pushSigned(repository, key('plain.key'))).digest).toBe(digest);
    for (const pub of ['cosign.pub', 'plain.pub']) {
      expect((await cosignVerify(dir, key(pub), `${repository}:v1`)).code).toBe(0);
      expect((await fluxVerify(repository, pub)).code).toBe(0);
    }
    // The same key again adds nothing, as cosign's duplicate detection.
    const path = repository.slice(registry.host.length + 1);
    const layersBefore = signatureLayers(
      (await getManifest(client, path, signatureTag(digest))).bytes,
    );
    expect((await pushSigned(repository, key('plain.key'))).code).toBe(0);
    const layersAfter = signatureLayers(
      (await getManifest(client, path, signatureTag(digest))).bytes,
    );
    expect(layersAfter).toEqual(layersBefore);
    expect(layersAfter).toHaveLength(2);
  });

  it('fails in both tools when the artifact has no signature', async () => {
    const repository = repo();
    const digest = await pushUnsigned(repository, { 'c.yaml': 'c: 1\n' });
    const ours = await fluxVerify(repository, 'cosign.pub');
    expect(ours.code).toBe(1);
    expect(ours.stderr).toContain(
      `✗ no cosign signature found for ${repository}@${digest}: the registry has no ${repository}:${signatureTag(digest)}`,
    );
    const theirs = await cosignVerify(dir, key('cosign.pub'), `${repository}:v1`);
    expect(theirs.code).not.toBe(0);
    expect(theirs.stderr).toContain('no signatures found');
  });

  it('fails in both tools with another key', async () => {
    const repository = repo();
    const pushed = await pushSigned(repository, key('cosign.key'));
    const ours = await fluxVerify(repository, 'plain.pub');
    expect(ours.code).toBe(1);
    expect(ours.stderr).toContain(
      `✗ no signature of ${repository}@${pushed.digest!} verifies with ${key('plain.pub')}: signature 1: it does not verify with ${key('plain.pub')}`,
    );
    const theirs = await cosignVerify(dir, key('plain.pub'), `${repository}:v1`);
    expect(theirs.code).not.toBe(0);
    expect(theirs.stderr).toContain('invalid signature when validating ASN.1 encoded signature');
  });

  it('fails in both tools when the signed payload was changed', async () => {
    const repository = repo();
    const pushed = await pushSigned(repository, key('cosign.key'));
    const path = repository.slice(registry.host.length + 1);
    const tag = signatureTag(pushed.digest!);
    const [layer] = signatureLayers((await getManifest(client, path, tag)).bytes)!;
    // The same signature over a payload that names another repository.
    const tampered = blobOf(
      layer.mediaType,
      simpleSigningPayload({
        dockerReference: `${registry.host}/evil/app`,
        digest: pushed.digest!,
      }),
    );
    if (!(await blobExists(client, path, tampered.descriptor)))
      await uploadBlob(client, path, tampered, {});
    const image = signatureImage([{ ...tampered.descriptor, annotations: layer.annotations }]);
    await uploadBlob(client, path, image.config, {});
    await putManifest(client, path, tag, image.manifest.bytes, image.manifest.descriptor.mediaType);
    expect(layer.annotations?.[SIGNATURE_ANNOTATION]).toBeDefined();

    const ours = await fluxVerify(repository, 'cosign.pub');
    expect(ours.code).toBe(1);
    expect(ours.stderr).toContain('its payload was changed');
    const theirs = await cosignVerify(dir, key('cosign.pub'), `${repository}:v1`);
    expect(theirs.code).not.toBe(0);
    expect(theirs.stderr).toContain('invalid signature');
  });

  it('fails in both tools when a valid signature of another digest is moved to this one', async () => {
    const repository = repo();
    const first = await pushSigned(repository, key('cosign.key'));
    const path = repository.slice(registry.host.length + 1);
    const other = fluxArtifact({ 'd.yaml': 'd: 1\n' });
    const { digest } = await pushArtifact(`oci://${repository}:v1`, other, { client });
    const moved = await getManifest(client, path, signatureTag(first.digest!));
    await putManifest(client, path, signatureTag(digest), moved.bytes, moved.mediaType);

    const ours = await fluxVerify(repository, 'cosign.pub');
    expect(ours.code).toBe(1);
    expect(ours.stderr).toContain(`its payload signs ${first.digest!}, not ${digest}`);
    const theirs = await cosignVerify(dir, key('cosign.pub'), `${repository}:v1`);
    expect(theirs.code).not.toBe(0);
    expect(theirs.stderr).toContain('invalid or missing digest in claim');
  });

  it('names where a wrong password came from: --cosign-password-env (cosignPassword)', () => {
    const options = resolveBootstrapOptions({
      url: `oci://${registry.host}/signed/bootstrap:latest`,
      cosignKey: key('cosign.key'),
      cosignPassword: 'wrong',
    });
    // COSIGN_PASSWORD is right, but the given password wins and is the one named.
    expect(() => bootstrapSigner(options, { COSIGN_PASSWORD: PASSWORD })).toThrow(
      `the cosign key ${key('cosign.key')} cannot be decrypted with the password from --cosign-password-env (cosignPassword): wrong password`,
    );
    expect(() =>
      bootstrapSigner({ ...options, cosignPassword: undefined }, { COSIGN_PASSWORD: 'wrong' }),
    ).toThrow('cannot be decrypted with the password from COSIGN_PASSWORD: wrong password');
  });

  it('refuses a wrong or missing COSIGN_PASSWORD before anything is pushed', async () => {
    const repository = repo();
    const wrong = await pushSigned(repository, key('cosign.key'), { COSIGN_PASSWORD: 'wrong' });
    expect(wrong.code).toBe(1);
    expect(wrong.stderr).toBe(
      `✗ the cosign key ${key('cosign.key')} cannot be decrypted with the password from COSIGN_PASSWORD: wrong password\n`,
    );
    const missing = await pushSigned(repository, key('cosign.key'), { COSIGN_PASSWORD: undefined });
    expect(missing.code).toBe(1);
    expect(missing.stderr).toBe(
      `✗ the cosign key ${key('cosign.key')} is encrypted and COSIGN_PASSWORD is not set: set COSIGN_PASSWORD to the password given to cosign generate-key-pair\n`,
    );
    const publicAsPrivate = await pushSigned(repository, key('cosign.pub'));
    expect(publicAsPrivate.stderr).toContain(
      `✗ the cosign key ${key('cosign.pub')} holds a 'PUBLIC KEY' PEM block, not a private key`,
    );
    const tags = await fetch(`${registry.url}/v2/signed/app${n}/tags/list`);
    expect(tags.status).toBe(404);
  });

  it('says which flag is missing or wrong for verify artifact', async () => {
    const missing = await flux('verify', 'artifact', `oci://${registry.host}/signed/none:v1`);
    expect(missing.code).toBe(1);
    expect(missing.stderr).toContain('✗ --key is required');
    const privateAsPublic = await flux(
      'verify',
      'artifact',
      `oci://${registry.host}/signed/none:v1`,
      `--key=${key('plain.key')}`,
    );
    expect(privateAsPublic.code).toBe(1);
    expect(privateAsPublic.stderr).toContain(
      `✗ ${key('plain.key')} is not a public key PEM (found a 'PRIVATE KEY' block)`,
    );
    expect(readFileSync(key('cosign.pub'), 'utf8')).toContain('BEGIN PUBLIC KEY');
  });
});
