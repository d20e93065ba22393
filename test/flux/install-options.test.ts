import { UserError } from '../../src/errors.js';
import { resolveInstallOptions } from '../../src/flux/install-options.js';

describe('install options', () => {
  test('defaults are those of flux install', () => {
    expect(resolveInstallOptions()).toEqual({
      namespace: 'flux-system',
      components: [
        'source-controller',
        'kustomize-controller',
        'helm-controller',
        'notification-controller',
      ],
      registry: 'ghcr.io/fluxcd',
      imagePullSecret: '',
      networkPolicy: true,
      watchAllNamespaces: true,
      logLevel: 'info',
      clusterDomain: 'cluster.local',
      tolerationKeys: [],
    });
  });

  test('components then extras, in order; a trailing slash on the registry is dropped', () => {
    const o = resolveInstallOptions({
      components: ['kustomize-controller', 'source-controller'],
      componentsExtra: ['source-watcher', 'image-reflector-controller'],
      registry: 'mirror.example.com/flux/',
    });
    expect(o.components).toEqual([
      'kustomize-controller',
      'source-controller',
      'source-watcher',
      'image-reflector-controller',
    ]);
    expect(o.registry).toBe('mirror.example.com/flux');
  });

  test.each([
    [
      { components: ['source-controller', 'flagger'] },
      /"flagger" is not a Flux component; choose from source-controller, /,
    ],
    [
      { componentsExtra: ['helm-controller'] },
      /"helm-controller" is not an extra Flux component; --components-extra accepts image-reflector-controller, image-automation-controller, source-watcher/,
    ],
    [{ components: [] }, /no Flux components selected/],
    [{ componentsExtra: ['source-watcher', 'source-watcher'] }, /"source-watcher" is listed twice/],
    [{ logLevel: 'trace' }, /log level "trace" is not supported; use one of debug, info, error/],
    [
      { namespace: 'Flux' },
      /namespace "Flux" is not a valid DNS label: use at most 63 lowercase letters/,
    ],
    [{ namespace: 'a.b' }, /namespace "a.b" is not a valid DNS label/],
    [{ namespace: 'x'.repeat(64) }, /is not a valid DNS label/],
    [
      { imagePullSecret: 'Reg_Cred' },
      /image pull secret name "Reg_Cred" is not a valid Kubernetes name/,
    ],
    [
      { tolerationKeys: ['ok', 'bad key'] },
      /toleration key "bad key" is not a valid Kubernetes key/,
    ],
    [{ tolerationKeys: ['-x/y'] }, /toleration key "-x\/y"/],
    [{ clusterDomain: 'cluster local' }, /cluster domain "cluster local"/],
    [
      { registry: 'https://ghcr.io/fluxcd' },
      /registry "https:\/\/ghcr.io\/fluxcd" is not an image registry path; give host\[\/path\] without a scheme/,
    ],
  ])('refuses %j naming the value and the fix', (options, message) => {
    expect(() => resolveInstallOptions(options)).toThrow(UserError);
    expect(() => resolveInstallOptions(options)).toThrow(message);
  });

  test('valid toleration keys with a prefix', () => {
    expect(
      resolveInstallOptions({ tolerationKeys: ['node-role.kubernetes.io/control-plane', 'gpu'] })
        .tolerationKeys,
    ).toHaveLength(2);
  });
});
