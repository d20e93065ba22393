// The public keys are read and matched against the signing key before the install phase
// pushes or touches the cluster: a mistake is one line, and nothing is in the registry.
import { KubeConfig } from '@kubernetes/client-node';
import { generateKeyPairSync } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { runInstallPhase } from '../../src/bootstrap/install-phase.js';
import type { BootstrapOciOptions } from '../../src/bootstrap/options/options.js';
import { resolveBootstrapOptions } from '../../src/bootstrap/options/resolve-options.js';
import { silentProgressLogger } from '../../src/bootstrap/progress-logger.js';
import { KubeClient } from '../../src/kube/client.js';
import { resolveArtifact } from '../../src/oci/registry/resolve.js';
import { fluxArtifact } from '../support/artifacts.js';
import { startRegistry, type TestRegistry } from '../support/registry.js';

let registry: TestRegistry;
let dir: string;
let kube: KubeClient;
let n = 0;

function keyPair(name: string): { key: string; pub: string } {
  const { privateKey, publicKey } = generateKeyPairSync('ec', { namedCurve: 'P-256' });
  const key = join(dir, `${name}.key`);
  const pub = join(dir, `${name}.pub`);
  writeFileSync(key, privateKey.export({ type: 'pkcs8', format: 'pem' }));
  writeFileSync(pub, publicKey.export({ type: 'spki', format: 'pem' }));
  return { key, pub };
}

beforeAll(async () => {
  registry = await startRegistry();
  dir = mkdtempSync(join(tmpdir(), 'verification-keys-first-'));
  // A cluster nobody listens on: the phase must fail before it asks the cluster anything.
  const kc = new KubeConfig();
  kc.loadFromOptions({
    clusters: [{ name: 'c', server: 'https://127.0.0.1:1', skipTLSVerify: true }],
    users: [{ name: 'u', token: 't' }],
    contexts: [{ name: 'x', cluster: 'c', user: 'u' }],
    currentContext: 'x',
  });
  kube = new KubeClient(kc);
});
afterAll(async () => {
  await registry?.stop();
  if (dir) rmSync(dir, { recursive: true, force: true });
});

describe('the install phase reads the verification keys before it pushes', () => {
  const signer = () => keyPair(`signer${++n}`);
  test.each<[string, (key: { key: string; pub: string }) => Partial<BootstrapOciOptions>, RegExp]>([
    [
      'a --verify-public-key of another key pair',
      () => ({ verifyPublicKey: keyPair(`other${n}`).pub }),
      /--verify-public-key \(verifyPublicKey\) .* is not the public key of --cosign-key \(cosignKey\)/,
    ],
    [
      'a mistyped --verify-public-key',
      () => ({ verifyPublicKey: join(dir, 'missing.pub') }),
      /cannot read the public key .*missing\.pub: ENOENT/,
    ],
    [
      'a mistyped --cluster-verify-public-key',
      (key) => ({ verifyPublicKey: key.pub, clusterVerifyPublicKey: join(dir, 'cluster.pub') }),
      /cannot read the public key .*cluster\.pub: ENOENT/,
    ],
  ])('%s is refused and nothing is pushed', async (_, change, message) => {
    const key = signer();
    const url = `oci://${registry.host}/keys-first/app${n}:latest`;
    const options = resolveBootstrapOptions({
      url,
      clusterUrl: `oci://${registry.host}/keys-first/cluster${n}:latest`,
      cosignKey: key.key,
      ...change(key),
    } as BootstrapOciOptions);
    await expect(
      runInstallPhase(kube, options, {
        logger: silentProgressLogger,
        env: {},
        artifact: fluxArtifact({ 'a.yaml': 'kind: ConfigMap\n' }),
      }),
    ).rejects.toThrow(message);
    expect(await resolveArtifact(url)).toBeUndefined();
  });
});
