// `flux-oci install --export` against the real `flux install --export` (Flux CLI v2.9.5 with the
// package's embedded manifests compiled in): the same flags give the same objects, in order.
import { parseAllDocuments } from 'yaml';
import { runCli } from '../support/cli.js';
import { FLUX_CLI_BUILD_TIMEOUT_MS, fluxBinary, runFlux } from './flux-cli-oracle.js';

const ALL_EXTRAS = 'image-reflector-controller,image-automation-controller,source-watcher';

/** Flag sets; both CLIs take the same flag names. */
const CASES: Record<string, string[]> = {
  defaults: [],
  'the embedded version named': ['--version=v2.9.5'],
  'all extras': [`--components-extra=${ALL_EXTRAS}`],
  'source-watcher only as extra': ['--components-extra=source-watcher'],
  'other namespace, no network policy': ['--namespace=gitops', '--network-policy=false'],
  'private registry with pull secret and tolerations': [
    '--registry=registry.example.com:5000/mirror/fluxcd',
    '--image-pull-secret=regcred',
    '--toleration-keys=node.kubernetes.io/special,dedicated',
  ],
  'single namespace, debug, custom domain': [
    '--watch-all-namespaces=false',
    '--log-level=debug',
    '--cluster-domain=corp.internal',
  ],
  'without notification-controller': [
    '--components=source-controller,kustomize-controller',
    '--components-extra=source-watcher',
    '--log-level=error',
  ],
  'everything at once': [
    '--namespace=flux',
    '--components=source-controller,helm-controller,notification-controller,kustomize-controller',
    '--components-extra=source-watcher,image-automation-controller',
    '--registry=mirror.local/flux',
    '--image-pull-secret=pull',
    '--network-policy=false',
    '--watch-all-namespaces=false',
    '--log-level=debug',
    '--cluster-domain=k8s.test',
    '--toleration-keys=example.com/gpu',
  ],
};

function documents(text: string): unknown[] {
  return parseAllDocuments(text)
    .map((d) => d.toJS() as unknown)
    .filter((o) => o !== null);
}

/** The generated-by comment both print before the objects. */
function header(text: string): string {
  return text.split('\n').slice(0, 4).join('\n');
}

describe('flux-oci install --export equals flux install --export (Flux CLI v2.9.5)', () => {
  beforeAll(() => void fluxBinary(), FLUX_CLI_BUILD_TIMEOUT_MS);

  test.each(Object.entries(CASES))('%s', async (_name, flags) => {
    const expected = runFlux(['install', '--export', ...flags]);
    const result = await runCli(['install', '--export', ...flags], {
      env: { FLUX_MANIFESTS: undefined },
    });
    expect(result.stderr).not.toMatch(/✗|not verified/);
    expect(result.code).toBe(0);
    expect(header(result.stdout)).toBe(header(expected));
    expect(documents(result.stdout)).toEqual(documents(expected));
  });

  test('the embedded manifests hold every component, extras included', () => {
    const kinds = documents(runFlux(['install', '--export', `--components-extra=${ALL_EXTRAS}`]));
    const deployments = kinds
      .filter((o) => (o as { kind: string }).kind === 'Deployment')
      .map((o) => (o as { metadata: { name: string } }).metadata.name);
    expect(deployments).toEqual([
      'source-controller',
      'kustomize-controller',
      'helm-controller',
      'notification-controller',
      'image-reflector-controller',
      'image-automation-controller',
      'source-watcher',
    ]);
  });
});
