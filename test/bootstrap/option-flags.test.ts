import { Command } from 'commander';
import { OPTION_FLAGS } from '../../src/bootstrap/options/option-flags.js';
import { addOptionFlags, readOptionFlags } from '../../src/cli/option-flags.js';

describe('option flags', () => {
  test('each flag is the kebab-case of its option, as the RFC names them', () => {
    for (const [key, { flag }] of Object.entries(OPTION_FLAGS)) {
      expect(flag).toBe(`--${key.replace(/[A-Z]/g, (c) => `-${c.toLowerCase()}`)}`);
    }
  });

  test('the RFC and flux install flags are all there', () => {
    const flags = Object.values(OPTION_FLAGS).map((f) => f.flag);
    for (const flag of [
      '--url',
      '--username',
      '--password',
      '--kustomization',
      '--cluster-url',
      '--cluster-path',
      '--cluster-username',
      '--cluster-password',
      '--provider',
      '--ca-file',
      '--allow-insecure-http',
      '--cluster-domain',
      '--components',
      '--components-extra',
      '--image-pull-secret',
      '--log-level',
      '--network-policy',
      '--registry',
      '--toleration-keys',
      '--version',
      '--watch-all-namespaces',
    ]) {
      expect(flags).toContain(flag);
    }
  });

  test('parsed flags give back the options', () => {
    const command = addOptionFlags(new Command('x').exitOverride());
    command.parse(
      [
        '--url=oci://r/x:t',
        '--components',
        'source-controller,kustomize-controller',
        '--network-policy=false',
        '--watch-all-namespaces',
        '--cluster-path',
        'clusters/a',
        '--toleration-keys=a',
        '--toleration-keys=b',
        '--allow-downgrade',
      ],
      { from: 'user' },
    );
    expect(readOptionFlags(command.opts())).toEqual({
      url: 'oci://r/x:t',
      components: ['source-controller', 'kustomize-controller'],
      networkPolicy: false,
      watchAllNamespaces: true,
      clusterPath: 'clusters/a',
      tolerationKeys: ['a', 'b'],
      allowDowngrade: true,
    });
  });

  test('an option known only at deploy time is also read from the environment variable <flag>-env names', () => {
    const command = addOptionFlags(new Command('x').exitOverride());
    command.parse(
      ['--url=oci://r/x:t', '--kubeconfig-env=KC', '--context-env', 'CTX', '--username-env=U'],
      { from: 'user' },
    );
    const env = { KC: "/tmp/it's $(here)\n", CTX: 'a "b"; c', U: 'flux' };
    expect(readOptionFlags(command.opts(), undefined, env)).toEqual({
      url: 'oci://r/x:t',
      kubeconfig: env.KC,
      context: env.CTX,
      username: 'flux',
    });
  });

  test('<flag>-env naming an unset variable, or given beside <flag>, is refused', () => {
    const parsed = (args: string[]) =>
      addOptionFlags(new Command('x').exitOverride()).parse(args, { from: 'user' }).opts();
    expect(() => readOptionFlags(parsed(['--context-env=NOPE']), undefined, {})).toThrow(
      'the environment variable NOPE named by --context-env is not set: set it, or name another with --context-env',
    );
    expect(() =>
      readOptionFlags(parsed(['--kubeconfig=a', '--kubeconfig-env=KC']), undefined, { KC: 'b' }),
    ).toThrow('--kubeconfig and --kubeconfig-env are both given: give one of them');
  });

  test('only deploy-time options have an -env flag, and the construct-only props no flag', () => {
    const flags = addOptionFlags(new Command('x')).options.map((o) => o.long);
    expect(flags.filter((f) => f?.endsWith('-env')).sort()).toEqual([
      '--cluster-password-env',
      '--cluster-username-env',
      '--context-env',
      '--cosign-password-env',
      '--kubeconfig-env',
      '--password-env',
      '--registry-creds-env',
      '--username-env',
    ]);
    expect(Object.keys(OPTION_FLAGS)).not.toContain('passwordRevision');
    expect(flags).not.toContain('--password-revision');
  });

  test('the cosign key password is never taken from argv: only --cosign-password-env=NAME', () => {
    const command = () => addOptionFlags(new Command('x').exitOverride());
    expect(() => command().parse(['--cosign-password=hunter2'], { from: 'user' })).toThrow(
      /unknown option '--cosign-password=hunter2'/,
    );
    const opts = command()
      .parse(['--cosign-key=cosign.key', '--cosign-password-env=KEYPASS'], { from: 'user' })
      .opts();
    expect(readOptionFlags(opts, undefined, { KEYPASS: 'hunter2' })).toMatchObject({
      cosignKey: 'cosign.key',
      cosignPassword: 'hunter2',
    });
  });

  test('a bad boolean is refused with the flag and value', () => {
    const command = addOptionFlags(new Command('x').exitOverride());
    expect(() => command.parse(['--network-policy=maybe'], { from: 'user' })).toThrow(
      /--network-policy 'maybe' is not a boolean/,
    );
  });
});
