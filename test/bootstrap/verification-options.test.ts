// Signing and verification options: which OCIRepository verifies with what (`.spec.verify`),
// which cosign.pub Secrets the secrets phase writes, and one clear line for each mistake.
import { generateKeyPairSync } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { componentsPublicKey } from '../../src/bootstrap/artifact-signing.js';
import type { BootstrapOciOptions } from '../../src/bootstrap/options/options.js';
import { resolveBootstrapOptions } from '../../src/bootstrap/options/resolve-options.js';
import { planSync, type SyncPlan } from '../../src/bootstrap/sync-plan.js';

const digest = `sha256:${'e'.repeat(64)}`;
const base = {
  url: 'oci://registry.example/flux/components:production',
  clusterUrl: 'oci://registry.example/fleet/cluster:production',
};
const dir = mkdtempSync(join(tmpdir(), 'verification-options-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

function keyPair(name: string): { key: string; pub: string } {
  const { privateKey, publicKey } = generateKeyPairSync('ec', { namedCurve: 'P-256' });
  const key = join(dir, `${name}.key`);
  const pub = join(dir, `${name}.pub`);
  writeFileSync(key, privateKey.export({ type: 'pkcs8', format: 'pem' }));
  writeFileSync(pub, publicKey.export({ type: 'spki', format: 'pem' }));
  return { key, pub };
}

function plan(options: Partial<BootstrapOciOptions>): SyncPlan {
  return planSync(resolveBootstrapOptions({ ...base, ...options } as BootstrapOciOptions), digest);
}

/** `.spec.verify` of each OCIRepository, by name (null: none). */
function verify(p: SyncPlan): Record<string, unknown> {
  const result: Record<string, unknown> = {};
  for (const o of p.objects.filter((o) => o.kind === 'OCIRepository')) {
    result[o.metadata.name] = (o.spec as { verify?: unknown }).verify ?? null;
  }
  return result;
}

describe('signing and verification options', () => {
  test('nothing signed or verified: no .spec.verify, no cosign Secret', () => {
    const p = plan({});
    expect(verify(p)).toEqual({ 'flux-components': null, 'flux-system': null });
    expect(p.componentsVerifySecret).toBeUndefined();
    expect(p.clusterVerifySecret).toBeUndefined();
  });

  test('a cosign key: flux-components verifies with its public key by default', () => {
    const signer = keyPair('default');
    const options = resolveBootstrapOptions({ ...base, cosignKey: signer.key });
    expect(options.verifyProvider).toBe('cosign');
    const p = planSync(options, digest);
    expect(verify(p)).toEqual({
      'flux-components': { provider: 'cosign', secretRef: { name: 'flux-components-cosign' } },
      'flux-system': null,
    });
    expect(componentsPublicKey(options, {})).toBe(readFileSync(signer.pub, 'utf8'));
  });

  test('a cluster public key, or a keyless identity, verifies the cluster artifact', () => {
    const fleet = keyPair('fleet');
    expect(verify(plan({ clusterVerifyPublicKey: fleet.pub }))).toEqual({
      'flux-components': null,
      'flux-system': { provider: 'cosign', secretRef: { name: 'flux-system-cosign' } },
    });
    const keyless = plan({
      clusterVerifyIssuer: '^https://token\\.actions\\.githubusercontent\\.com$',
      clusterVerifySubject: '^https://github\\.com/acme/fleet/.*$',
    });
    expect(verify(keyless)['flux-system']).toEqual({
      matchOIDCIdentity: [
        {
          issuer: '^https://token\\.actions\\.githubusercontent\\.com$',
          subject: '^https://github\\.com/acme/fleet/.*$',
        },
      ],
      provider: 'cosign',
    });
    expect(keyless.clusterVerifySecret).toBeUndefined();
  });

  test('a public key that is not the signing key’s is refused before anything is written', () => {
    const signer = keyPair('signer');
    const other = keyPair('other');
    const options = resolveBootstrapOptions({
      ...base,
      cosignKey: signer.key,
      verifyPublicKey: other.pub,
    });
    expect(() => componentsPublicKey(options, {})).toThrow(
      `--verify-public-key (verifyPublicKey) ${other.pub} is not the public key of --cosign-key (cosignKey) ${signer.key}`,
    );
  });

  test.each<[Partial<BootstrapOciOptions>, string]>([
    [
      { verifyProvider: 'notation' as 'cosign', verifyPublicKey: 'cosign.pub' },
      "--verify-provider (verifyProvider) 'notation' is not supported: use cosign",
    ],
    [
      { verifyProvider: 'cosign' },
      '--verify-provider (verifyProvider) is set but nothing is verified',
    ],
    [
      { cosignPassword: 'secret' },
      '--cosign-password-env (cosignPassword) is set without --cosign-key (cosignKey)',
    ],
    [
      { clusterUrl: undefined, clusterVerifyPublicKey: 'cosign.pub' },
      '--cluster-verify-public-key (clusterVerifyPublicKey) is set but --cluster-url (clusterUrl) is not',
    ],
    [
      { clusterVerifyIssuer: '^https://issuer$' },
      'keyless verification needs both --cluster-verify-issuer (clusterVerifyIssuer) and --cluster-verify-subject (clusterVerifySubject)',
    ],
    [
      { clusterVerifyPublicKey: 'cosign.pub', clusterVerifyIssuer: 'a', clusterVerifySubject: 'b' },
      'are both set: the cluster artifact is verified either with a key or keyless',
    ],
    [
      { clusterVerifyIssuer: '(', clusterVerifySubject: 'b' },
      "--cluster-verify-issuer (clusterVerifyIssuer) '(' is not a regular expression",
    ],
    [
      { secretName: 'flux-system-cosign', clusterUsername: 'fleet' },
      "--secret-name (secretName) 'flux-system-cosign' is the name of the bootstrap's cosign public key Secret",
    ],
  ])('%j is refused with one line', (options, message) => {
    expect(() => resolveBootstrapOptions({ ...base, ...options } as BootstrapOciOptions)).toThrow(
      message,
    );
  });
});
