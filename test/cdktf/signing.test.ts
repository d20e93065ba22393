// The construct's signing and verification: the private key stays in the deploy's
// environment (env://NAME), its password in a sensitive variable, the public keys become
// cosign.pub Secrets, and the OCIRepositories carry `.spec.verify`, in both renderings.
import { App, TerraformStack, Testing } from 'cdktf';
import { generateKeyPairSync } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import {
  FluxBootstrapOci,
  type FluxBootstrapOciProps,
} from '../../src/cdktf/flux-bootstrap-oci.js';

const root = join(dirname(fileURLToPath(import.meta.url)), '..', '..');
const bundle = join(root, 'test', 'fixtures', 'flux-bundle');

let outdir: string;
let keys: string;
let privatePem: string;
beforeAll(() => {
  outdir = mkdtempSync(join(root, '.cdktf-out-test-'));
  keys = mkdtempSync(join(tmpdir(), 'flux-oci-keys-'));
  const { privateKey, publicKey } = generateKeyPairSync('ec', { namedCurve: 'P-256' });
  privatePem = privateKey.export({ type: 'pkcs8', format: 'pem' }).toString();
  writeFileSync(join(keys, 'cosign.key'), privatePem);
  writeFileSync(join(keys, 'cosign.pub'), publicKey.export({ type: 'spki', format: 'pem' }));
});
afterAll(() => {
  rmSync(outdir, { recursive: true, force: true });
  rmSync(keys, { recursive: true, force: true });
});

const signed = (rendering: 'providers' | 'terraform-data'): FluxBootstrapOciProps => ({
  rendering,
  url: 'oci://ghcr.io/acme/flux-manifests:production',
  clusterUrl: 'oci://ghcr.io/acme/fleet:production',
  manifests: bundle,
  cosignKey: 'env://COSIGN_PRIVATE_KEY',
  cosignPassword: FluxBootstrapOci.sensitiveVariable('cosign_password'),
  verifyPublicKey: join(keys, 'cosign.pub'),
  clusterVerifyPublicKey: join(keys, 'cosign.pub'),
});

function synth(props: FluxBootstrapOciProps) {
  const app = Testing.app({ outdir }) as App;
  const stack = new TerraformStack(app, 'cluster');
  const flux = new FluxBootstrapOci(stack, 'flux', props);
  return {
    flux,
    text: Testing.synth(stack),
    syncText: flux.syncStack ? Testing.synth(flux.syncStack) : '',
  };
}

describe('FluxBootstrapOci signing and verification', () => {
  test("providers: the pre-apply step signs with the deploy's key, Terraform writes cosign.pub", () => {
    const { flux, text, syncText } = synth(signed('providers'));
    const json = JSON.parse(text) as {
      resource: Record<string, Record<string, Record<string, unknown>>>;
      variable: Record<string, { sensitive: boolean }>;
    };
    const [preApply] = Object.values(json.resource.null_resource) as {
      triggers: Record<string, string>;
      provisioner: { 'local-exec': { command: string } }[];
    }[];
    const command = preApply.provisioner[0]['local-exec'].command;
    expect(command).toContain(' --cosign-key=env://COSIGN_PRIVATE_KEY ');
    expect(command).toContain(' --cosign-password-env=TF_VAR_cosign_password');
    expect(preApply.triggers.cosign_key).toBe('env://COSIGN_PRIVATE_KEY');
    expect(json.variable.cosign_password.sensitive).toBe(true);
    const pub = readFileSync(join(keys, 'cosign.pub'), 'utf8');
    const secrets = Object.values(json.resource.kubernetes_secret_v1) as {
      metadata: { name: string };
      data: Record<string, string>;
    }[];
    expect(secrets.map((s) => [s.metadata.name, s.data['cosign.pub']])).toEqual([
      ['flux-components-cosign', pub],
      ['flux-system-cosign', pub],
    ]);
    for (const repo of flux.syncPlan.objects.filter((o) => o.kind === 'OCIRepository')) {
      expect((repo.spec as { verify: unknown }).verify).toEqual({
        provider: 'cosign',
        secretRef: { name: `${repo.metadata.name}-cosign` },
      });
    }
    expect(syncText).toContain('flux-components-cosign');
    // No private key material and no path of this machine in the output.
    for (const output of [text, syncText]) {
      expect(output).not.toContain(privatePem.split('\n')[1]);
      expect(output).not.toContain(keys);
    }
  });

  test('terraform-data: the install, secrets and sync steps get the key and the public keys', () => {
    const { text } = synth(signed('terraform-data'));
    const json = JSON.parse(text) as {
      resource: { terraform_data: Record<string, { input?: unknown; triggers_replace?: unknown }> };
    };
    const steps = Object.entries(json.resource.terraform_data);
    for (const name of ['install', 'secrets', 'sync']) {
      const step = steps.find(([id]) => id.includes(name));
      expect(JSON.stringify(step)).toContain('--cosign-key=env://COSIGN_PRIVATE_KEY');
      expect(JSON.stringify(step)).toContain('--cosign-password-env=TF_VAR_cosign_password');
    }
    // The install step has no cluster options: the cluster verification is not its business.
    expect(JSON.stringify(steps.find(([id]) => id.includes('install')))).not.toContain(
      '--cluster-verify-public-key',
    );
    expect(JSON.stringify(steps.find(([id]) => id.includes('secrets')))).toMatch(
      /--verify-public-key=assets\/[^']*cosign\.pub/,
    );
    expect(text).not.toContain(keys);
  });

  test.each(['providers', 'terraform-data'] as const)(
    '%s: a new cosign.pub under the same env://NAME runs the signing push step again',
    (rendering) => {
      // The step that pushes and signs: pre-apply (providers) or install (terraform-data).
      const pushTriggers = (verifyPublicKey: string): unknown => {
        const json = JSON.parse(synth({ ...signed(rendering), verifyPublicKey }).text) as {
          resource: Record<
            string,
            Record<string, { triggers?: unknown; triggers_replace?: unknown }>
          >;
        };
        const step =
          rendering === 'providers'
            ? Object.values(json.resource.null_resource)[0]
            : Object.entries(json.resource.terraform_data).find(([id]) =>
                id.includes('install'),
              )![1];
        return step.triggers ?? step.triggers_replace;
      };
      const rotated = join(keys, 'rotated.pub');
      writeFileSync(
        rotated,
        generateKeyPairSync('ec', { namedCurve: 'P-256' }).publicKey.export({
          type: 'spki',
          format: 'pem',
        }),
      );
      const before = pushTriggers(join(keys, 'cosign.pub'));
      expect(pushTriggers(join(keys, 'cosign.pub'))).toEqual(before);
      expect(pushTriggers(rotated)).not.toEqual(before);
    },
  );

  test.each<[Partial<FluxBootstrapOciProps>, string]>([
    [
      { cosignKey: join(tmpdir(), 'cosign.key') },
      "--cosign-key (cosignKey) '" +
        join(tmpdir(), 'cosign.key') +
        "' must name an environment variable holding the key, as env://COSIGN_PRIVATE_KEY",
    ],
    [
      { verifyPublicKey: undefined },
      '--cosign-key (cosignKey) is set without --verify-public-key (verifyPublicKey)',
    ],
    [{ cosignPassword: 'literal' }, 'cosignPassword must not be written in the app'],
  ])('%j is refused at synth with one line', (change, message) => {
    expect(() => synth({ ...signed('providers'), ...change })).toThrow(message);
  });
});
