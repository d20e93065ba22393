// `flux bootstrap`'s --registry-creds, --secret-name and --force in the one options model:
// defaults, the checks Flux makes (with the value's password never echoed), the flags and
// their -env variant, the Secret the flux-system OCIRepository references, and the override
// rule for an installation managed by another tool. Against the real cluster:
// test/e2e/bootstrap-flags.test.ts.
import { Command } from 'commander';
import { checkOtherManager } from '../../src/bootstrap/installation-manager.js';
import type { BootstrapOciOptions } from '../../src/bootstrap/options/options.js';
import { resolveBootstrapOptions } from '../../src/bootstrap/options/resolve-options.js';
import { planSync } from '../../src/bootstrap/sync-plan.js';
import { addOptionFlags, readOptionFlags } from '../../src/cli/option-flags.js';
import { UserError } from '../../src/errors.js';

const url = 'oci://registry.example/flux/components:production';
const clusterUrl = 'oci://registry.example/fleet/cluster:production';
const digest = `sha256:${'e'.repeat(64)}`;
const PASSWORD = 'pull-s3cret';

function failure(options: Partial<BootstrapOciOptions>, isUnresolved?: (v: string) => boolean) {
  try {
    resolveBootstrapOptions({ url, ...options } as BootstrapOciOptions, isUnresolved);
  } catch (err) {
    expect(err).toBeInstanceOf(UserError);
    return (err as Error).message;
  }
  throw new Error('resolveBootstrapOptions accepted the options');
}

/** The `spec.secretRef.name` of each OCIRepository. */
function secretRefs(options: BootstrapOciOptions): Record<string, string | undefined> {
  const plan = planSync(resolveBootstrapOptions(options), digest);
  return Object.fromEntries(
    plan.objects
      .filter((o) => o.kind === 'OCIRepository')
      .map((o) => [o.metadata.name, (o.spec as { secretRef?: { name: string } }).secretRef?.name]),
  );
}

describe('bootstrap flags: defaults', () => {
  test('secretName flux-system, force false, no registry credentials', () => {
    const resolved = resolveBootstrapOptions({ url });
    expect(resolved.secretName).toBe('flux-system');
    expect(resolved.force).toBe(false);
    expect(resolved.registryCreds).toBeUndefined();
  });
});

describe('--registry-creds (registryCreds)', () => {
  test('is kept with --image-pull-secret', () => {
    const resolved = resolveBootstrapOptions({
      url,
      imagePullSecret: 'regcred',
      registryCreds: `puller:${PASSWORD}`,
    });
    expect(resolved.registryCreds).toBe(`puller:${PASSWORD}`);
  });

  test('needs --image-pull-secret, as Flux', () => {
    expect(failure({ registryCreds: `puller:${PASSWORD}` })).toBe(
      '--registry-creds (registryCreds) requires --image-pull-secret (imagePullSecret) to be set: name the Secret the controllers pull their images with',
    );
  });

  test.each([PASSWORD, `a:b:${PASSWORD}`, `:${PASSWORD}`, 'puller:'])(
    "a value that is not user:password is refused without echoing it: '%s'",
    (value) => {
      const message = failure({ imagePullSecret: 'regcred', registryCreds: value });
      expect(message).toBe(
        "invalid --registry-creds (registryCreds) format, expected 'user:password'",
      );
      expect(message).not.toContain(PASSWORD);
    },
  );

  test('a deploy-time reference (a sensitive variable) is checked when read, but still needs the Secret name', () => {
    const token = '${TfToken[TOKEN.1]}';
    const isUnresolved = (v: string) => v.includes('${TfToken');
    const resolved = resolveBootstrapOptions(
      { url, imagePullSecret: 'regcred', registryCreds: `puller:${token}` },
      isUnresolved,
    );
    expect(resolved.registryCreds).toBe(`puller:${token}`);
    expect(failure({ registryCreds: token }, isUnresolved)).toMatch(
      /requires --image-pull-secret \(imagePullSecret\)/,
    );
  });

  test('the image pull Secret may not take the name of a registry Secret of the bootstrap', () => {
    for (const name of ['flux-components', 'flux-system', 'flux-registry-ca']) {
      expect(failure({ imagePullSecret: name, registryCreds: `puller:${PASSWORD}` })).toBe(
        `--image-pull-secret (imagePullSecret) '${name}' is also the name of a registry Secret of the bootstrap: with --registry-creds (registryCreds) choose another name`,
      );
    }
  });
});

describe('--secret-name (secretName)', () => {
  test('names the Secret of the cluster registry credentials the flux-system OCIRepository references', () => {
    expect(
      secretRefs({
        url,
        username: 'flux',
        clusterUrl,
        clusterUsername: 'fleet',
        secretName: 'fleet-creds',
      }),
    ).toEqual({ 'flux-components': 'flux-components', 'flux-system': 'fleet-creds' });
    const plan = planSync(
      resolveBootstrapOptions({
        url,
        clusterUrl,
        clusterUsername: 'fleet',
        secretName: 'fleet-creds',
      }),
      digest,
    );
    expect(plan.clusterSecret).toBe('fleet-creds');
  });

  test('default flux-system', () => {
    expect(secretRefs({ url, username: 'flux', clusterUrl, clusterUsername: 'fleet' })).toEqual({
      'flux-components': 'flux-components',
      'flux-system': 'flux-system',
    });
  });

  test('without cluster credentials of its own the cluster artifact shares the components Secret', () => {
    expect(secretRefs({ url, username: 'flux', clusterUrl, secretName: 'fleet-creds' })).toEqual({
      'flux-components': 'flux-components',
      'flux-system': 'flux-components',
    });
  });

  test('must be a Kubernetes name, and not one the bootstrap gives another Secret', () => {
    expect(failure({ secretName: 'Fleet_Creds' })).toMatch(
      /^--secret-name \(secretName\) "Fleet_Creds" is not a valid Kubernetes name/,
    );
    expect(failure({ secretName: 'flux-components' })).toBe(
      "--secret-name (secretName) 'flux-components' is the name of the bootstrap's components registry Secret: choose another name",
    );
    expect(failure({ secretName: 'flux-registry-ca' })).toMatch(/bootstrap's CA Secret/);
  });
});

describe('the flags of flux-oci bootstrap oci', () => {
  test('--secret-name, --force, and --registry-creds or --registry-creds-env', () => {
    const command = addOptionFlags(new Command('x').exitOverride());
    command.parse(['--secret-name=fleet-creds', '--force', '--registry-creds-env=PULL_CREDS'], {
      from: 'user',
    });
    expect(
      readOptionFlags(command.opts(), undefined, { PULL_CREDS: `puller:${PASSWORD}` }),
    ).toEqual({ secretName: 'fleet-creds', force: true, registryCreds: `puller:${PASSWORD}` });
    const direct = addOptionFlags(new Command('y').exitOverride());
    direct.parse([`--registry-creds=puller:${PASSWORD}`, '--force=false'], { from: 'user' });
    expect(readOptionFlags(direct.opts())).toEqual({
      registryCreds: `puller:${PASSWORD}`,
      force: false,
    });
  });
});

describe('an installation managed by another tool', () => {
  const helm = { 'app.kubernetes.io/managed-by': 'Helm', 'app.kubernetes.io/version': 'v2.8.0' };

  test('is refused without force, naming the tool and the flag', async () => {
    await expect(checkOtherManager(helm, {}, '--force (force)')).rejects.toThrow(
      'Flux v2.8.0 has been installed on this cluster with Helm: pass --force (force) to override the Helm installation',
    );
  });

  test('goes ahead with force, or when Flux itself or nobody manages it', async () => {
    await checkOtherManager(helm, { force: true }, '--force');
    await checkOtherManager({ 'app.kubernetes.io/managed-by': 'flux' }, {}, '--force');
    await checkOtherManager({}, {}, '--force');
  });
});
