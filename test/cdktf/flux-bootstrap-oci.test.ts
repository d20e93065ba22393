import { App, Testing } from 'cdktf';
import { Manifest } from '@cdktf/provider-kubernetes/lib/manifest/index.js';
import { SecretV1 } from '@cdktf/provider-kubernetes/lib/secret-v1/index.js';
import { Resource as NullResource } from '@cdktf/provider-null/lib/resource/index.js';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import {
  FluxBootstrapOci,
  type FluxBootstrapOciProps,
} from '../../src/cdktf/flux-bootstrap-oci.js';

interface NullJson {
  provisioner: { 'local-exec': { command: string } }[];
}

const root = join(dirname(fileURLToPath(import.meta.url)), '..', '..');
const bundle = join(root, 'test', 'fixtures', 'flux-bundle');

const story1: FluxBootstrapOciProps = {
  url: 'oci://ghcr.io/acme/flux-manifests:production',
  username: 'flux',
  password: FluxBootstrapOci.sensitiveVariable('oci_password'),
  clusterUrl: 'oci://ghcr.io/acme/fleet:production',
  clusterUsername: 'fleet-reader',
  clusterPassword: FluxBootstrapOci.sensitiveVariable('oci_cluster_password'),
  clusterPath: 'production',
  manifests: bundle,
  kubeconfig: '/home/ci/.kube/config',
};

const story2: FluxBootstrapOciProps = {
  url: 'oci://123456789012.dkr.ecr.eu-west-1.amazonaws.com/flux-manifests:production',
  provider: 'aws',
  clusterUrl: 'oci://123456789012.dkr.ecr.eu-west-1.amazonaws.com/fleet:production',
  clusterPath: 'eks-production',
  manifests: bundle,
  kubeconfig: '/home/ci/.kube/config',
};

function synth(props: FluxBootstrapOciProps) {
  const app = Testing.app() as App;
  const flux = new FluxBootstrapOci(app, 'flux', props);
  return {
    flux,
    install: Testing.synth(flux.installStack),
    sync: Testing.synth(flux.syncStack),
  };
}

/**
 * Machine paths and the artifact's digest replaced, so the snapshots read the same
 * everywhere and show structure; digest stability has tests of its own.
 */
function readable(json: string): string {
  return json
    .split(process.execPath)
    .join('<node>')
    .split(root)
    .join('<package>')
    .replace(/sha256:[a-f0-9]{64}/g, 'sha256:<digest>')
    .replace(/components-artifact\/[A-F0-9]{32}/g, 'components-artifact/<hash>');
}

describe('FluxBootstrapOci', () => {
  test('story 1: basic auth with separate cluster credentials', () => {
    const { install, sync } = synth(story1);
    expect(install).toHaveResourceWithProperties(NullResource, {
      triggers: expect.objectContaining({ url: story1.url }),
    });
    expect(install).toHaveResourceWithProperties(SecretV1, {
      metadata: { name: 'flux-components', namespace: 'flux-system' },
      type: 'kubernetes.io/dockerconfigjson',
    });
    expect(sync).toHaveResourceWithProperties(SecretV1, {
      metadata: { name: 'flux-system', namespace: 'flux-system' },
    });
    expect(sync).toHaveResourceWithProperties(Manifest, {
      manifest: expect.objectContaining({
        kind: 'OCIRepository',
        metadata: { name: 'flux-system', namespace: 'flux-system' },
        spec: expect.objectContaining({
          url: 'oci://ghcr.io/acme/fleet',
          ref: { tag: 'production' },
          secretRef: { name: 'flux-system' },
        }),
      }),
    });
    expect(JSON.parse(readable(install))).toMatchSnapshot();
    expect(JSON.parse(readable(sync))).toMatchSnapshot();
  });

  test('story 2: ECR with provider aws creates no Secret', () => {
    const { install, sync } = synth(story2);
    expect(install).not.toHaveResource(SecretV1);
    expect(sync).not.toHaveResource(SecretV1);
    expect(sync).toHaveResourceWithProperties(Manifest, {
      manifest: expect.objectContaining({
        kind: 'OCIRepository',
        spec: expect.objectContaining({ provider: 'aws' }),
      }),
    });
    expect(JSON.parse(readable(sync))).toMatchSnapshot();
  });

  test('no password reaches the synthesized JSON', () => {
    process.env.TF_VAR_oci_password = 'hunter2-secret';
    try {
      const { install, sync } = synth(story1);
      expect(install + sync).not.toContain('hunter2-secret');
      expect(JSON.parse(install).variable.oci_password).toMatchObject({ sensitive: true });
    } finally {
      delete process.env.TF_VAR_oci_password;
    }
  });

  test('the phase-2 stack depends on the phase-1 stack', () => {
    const { flux } = synth(story1);
    expect(flux.syncStack.dependencies).toContain(flux.installStack);
  });

  test('clusters sharing the components build the artifact once', () => {
    const app = Testing.app() as App;
    const a = new FluxBootstrapOci(app, 'a', story2);
    const b = new FluxBootstrapOci(app, 'b', { ...story2, clusterPath: 'other' });
    expect(b.installStack.componentsLayout).toBe(a.installStack.componentsLayout);
  });

  test('the same options give the same digest', () => {
    expect(synth(story2).flux.installStack.componentsDigest).toBe(
      synth(story2).flux.installStack.componentsDigest,
    );
    expect(synth({ ...story2, logLevel: 'debug' }).flux.installStack.componentsDigest).not.toBe(
      synth(story2).flux.installStack.componentsDigest,
    );
  });

  test('every pre-apply command is one flux-oci accepts, run where cdktf runs it', () => {
    const outdir = mkdtempSync(join(tmpdir(), 'cdktf-out-'));
    try {
      const app = new App({ outdir });
      new FluxBootstrapOci(app, 'flux', story1);
      app.synth();
      let count = 0;
      for (const stack of ['flux-install', 'flux-sync']) {
        const dir = join(outdir, 'stacks', stack);
        const json = JSON.parse(readFileSync(join(dir, 'cdk.tf.json'), 'utf8'));
        const resources = Object.values(json.resource.null_resource as Record<string, NullJson>);
        for (const command of resources.flatMap((r) =>
          r.provisioner.map((p) => p['local-exec'].command),
        )) {
          count++;
          const result = spawnSync('sh', ['-c', command], {
            cwd: dir,
            encoding: 'utf8',
            env: { ...process.env, OCI_PASSWORD: 'x', OCI_CLUSTER_PASSWORD: 'x' },
            timeout: 60_000,
          });
          // The options parse and validate and the artifact is where the command looks for
          // it; what fails is reaching this test's unreal cluster and registry.
          expect({ command, stderr: result.stderr }).toEqual({
            command,
            stderr: expect.stringMatching(
              /^✗ (kubeconfig \/home\/ci\/.kube\/config does not exist|.*ghcr\.io)/,
            ),
          });
        }
      }
      expect(count).toBeGreaterThanOrEqual(4);
    } finally {
      rmSync(outdir, { recursive: true, force: true });
    }
  }, 120_000);

  test('fails on a literal password', () => {
    expect(() => synth({ ...story1, password: 'hunter2' })).toThrow(
      /password must not be written in the app's code .* FluxBootstrapOci.sensitiveVariable/,
    );
  });

  test('fails on a bad option before building anything', () => {
    expect(() => synth({ ...story1, url: 'https://ghcr.io/x' })).toThrow(/is not an OCI URL/);
  });

  test('fails clearly without a manifests bundle or network', () => {
    expect(() => synth({ ...story2, manifests: '/nonexistent/bundle' })).toThrow(
      /building the Flux components artifact failed: .*\/nonexistent\/bundle/,
    );
  });
});
