import { App, TerraformStack, TerraformVariable, Testing } from 'cdktf';
import { FluxOciStep } from '../../src/cdktf/flux-oci-step.js';
import { unpackComponents } from '../../src/bootstrap/components-artifact.js';
import { readOciLayout } from '../../src/oci/layout.js';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import {
  FluxBootstrapOci,
  type FluxBootstrapOciProps,
} from '../../src/cdktf/flux-bootstrap-oci.js';

interface StepJson {
  triggers_replace: Record<string, unknown> & { objects?: unknown[] };
  input?: Record<string, string>;
  depends_on?: string[];
  provisioner: { 'local-exec': { command: string; when?: string; environment?: unknown } }[];
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
  kustomization: join(root, 'stacks', 'story2', 'kustomization.yaml'),
  clusterUrl: 'oci://123456789012.dkr.ecr.eu-west-1.amazonaws.com/fleet:production',
  clusterPath: 'eks-production',
  manifests: bundle,
  kubeconfig: '/home/ci/.kube/config',
};

function synth(props: FluxBootstrapOciProps) {
  const app = Testing.app() as App;
  const stack = new TerraformStack(app, 'cluster');
  const flux = new FluxBootstrapOci(stack, 'flux', props);
  const json = Testing.synth(stack);
  const steps = JSON.parse(json).resource.terraform_data as Record<string, StepJson>;
  const step = (name: string) =>
    steps[
      Object.keys(steps).find(
        (k) => k.endsWith(`_${name}_`) || k.includes(`_${name}_`) || k.endsWith(name),
      )!
    ];
  return { flux, json, steps, step };
}

/**
 * Machine paths and the artifact's digest replaced, so the snapshots read the same
 * everywhere and show structure; digest stability has tests of its own.
 */
function readable(json: string): unknown {
  return JSON.parse(
    json
      .split(process.execPath)
      .join('<node>')
      .split(root)
      .join('<package>')
      .replace(/sha256:[a-f0-9]{64}/g, 'sha256:<digest>')
      .replace(/components-artifact_[0-9a-f]+\/[A-F0-9]{32}/g, 'components-artifact/<hash>'),
  );
}

describe('FluxBootstrapOci', () => {
  test('story 1: basic auth with separate cluster credentials', () => {
    const { json, step } = synth(story1);
    expect(json).toHaveResourceWithProperties(FluxOciStep, {
      triggers_replace: expect.objectContaining({ url: story1.url, namespace: 'flux-system' }),
    });
    const install = step('install');
    expect(install.provisioner[0]['local-exec'].command).toMatch(
      /bootstrap oci --phase=install --artifact=assets\/[\w-]*components-artifact[\w-]*\/[A-F0-9]{32} .* --password-env=TF_VAR_oci_password$/,
    );
    const sync = step('sync');
    expect(sync.depends_on).toEqual([
      expect.stringMatching(/^terraform_data\.flux_install_/),
      expect.stringMatching(/^terraform_data\.flux_secrets_/),
    ]);
    expect(sync.triggers_replace.objects).toContainEqual(
      expect.objectContaining({
        kind: 'OCIRepository',
        metadata: { name: 'flux-system', namespace: 'flux-system' },
        spec: expect.objectContaining({
          url: 'oci://ghcr.io/acme/fleet',
          ref: { tag: 'production' },
          secretRef: { name: 'flux-system' },
        }),
      }),
    );
    // Rotating a password runs the secrets step alone: the install step (push, tag) has no
    // password in its triggers.
    expect(step('secrets').triggers_replace).toMatchObject({
      password_revision: '${substr(sha256(var.oci_password), 0, 8)}',
      cluster_password_revision: '${substr(sha256(var.oci_cluster_password), 0, 8)}',
      secrets: ['flux-components', 'flux-system'],
    });
    expect(Object.keys(install.triggers_replace).sort()).toEqual(['digest', 'namespace', 'url']);
    const uninstall = step('uninstall');
    expect(uninstall.provisioner[0]['local-exec']).toMatchObject({ when: 'destroy' });
    expect(uninstall.triggers_replace).toEqual({ namespace: 'flux-system' });
    expect(readable(json)).toMatchSnapshot();
  });

  test('story 2: ECR with provider aws has no credentials anywhere', () => {
    const { json, step } = synth(story2);
    expect(JSON.parse(json).variable).toBeUndefined();
    expect(Object.keys(JSON.parse(json).resource.terraform_data)).toHaveLength(3); // no secrets step
    expect(step('install').provisioner[0]['local-exec'].command).not.toMatch(/password/);
    expect(step('sync').triggers_replace.objects).toContainEqual(
      expect.objectContaining({
        kind: 'OCIRepository',
        spec: expect.objectContaining({ provider: 'aws' }),
      }),
    );
    expect(readable(json)).toMatchSnapshot();
  });

  test('story 2: the IRSA patch is in the artifact the install step applies and Flux reconciles', () => {
    const { flux } = synth(story2);
    const objects = unpackComponents(readOciLayout(flux.componentsLayout.dir), 'flux-system');
    const sa = objects.find(
      (o) => o.kind === 'ServiceAccount' && o.metadata.name === 'source-controller',
    );
    expect(sa?.metadata.annotations).toEqual({
      'eks.amazonaws.com/role-arn': 'arn:aws:iam::123456789012:role/flux-source-controller',
    });
  });

  test('needs no provider: the steps are built-in terraform_data', () => {
    const { json } = synth(story1);
    expect(JSON.parse(json).provider).toBeUndefined();
    expect(Object.keys(JSON.parse(json).resource)).toEqual(['terraform_data']);
  });

  test('no password reaches the synthesized JSON, and provisioners carry no sensitive value', () => {
    process.env.TF_VAR_oci_password = 'hunter2-secret';
    try {
      const { json, steps } = synth(story1);
      expect(json).not.toContain('hunter2-secret');
      expect(JSON.parse(json).variable.oci_password).toMatchObject({ sensitive: true });
      // A sensitive value in a provisioner would make Terraform hide the command's output.
      for (const step of Object.values(steps)) {
        expect(JSON.stringify(step.provisioner)).not.toMatch(/var\./);
      }
    } finally {
      delete process.env.TF_VAR_oci_password;
    }
  });

  test('every step command is one flux-oci accepts, run where cdktf runs it', () => {
    const outdir = mkdtempSync(join(tmpdir(), 'cdktf-out-'));
    try {
      const app = new App({ outdir });
      new FluxBootstrapOci(new TerraformStack(app, 'cluster'), 'flux', story1);
      app.synth();
      const dir = join(outdir, 'stacks', 'cluster');
      const json = JSON.parse(readFileSync(join(dir, 'cdk.tf.json'), 'utf8'));
      const steps = Object.values(json.resource.terraform_data as Record<string, StepJson>);
      expect(steps).toHaveLength(4);
      // Terraform resolves `${self.output.*}` (the step's input) before the shell runs it.
      const commands = steps.map((step) =>
        step.provisioner[0]['local-exec'].command.replace(
          /\$\{self\.output\.(\w+)\}/g,
          (_, key: string) => step.input![key],
        ),
      );
      for (const command of commands) {
        const result = spawnSync('sh', ['-c', command], {
          cwd: dir,
          encoding: 'utf8',
          env: { ...process.env, TF_VAR_oci_password: 'x', TF_VAR_oci_cluster_password: 'x' },
          timeout: 60_000,
        });
        // The options parse and validate and the artifact is where the command looks for
        // it; what fails is reaching this test's unreal cluster.
        expect({ command, stderr: result.stderr }).toEqual({
          command,
          stderr:
            '✗ kubeconfig /home/ci/.kube/config does not exist: pass the path of an existing file\n',
        });
      }
    } finally {
      rmSync(outdir, { recursive: true, force: true });
    }
  }, 120_000);

  test('the cluster connection may come from another resource at deploy time', () => {
    const app = Testing.app() as App;
    const stack = new TerraformStack(app, 'cluster');
    const kubeconfig = new TerraformVariable(stack, 'kubeconfig_path', { type: 'string' });
    new FluxBootstrapOci(stack, 'flux', { ...story2, kubeconfig: kubeconfig.stringValue });
    const steps = JSON.parse(Testing.synth(stack)).resource.terraform_data as Record<
      string,
      StepJson
    >;
    for (const [name, step] of Object.entries(steps)) {
      const command = step.provisioner[0]['local-exec'].command;
      if (name.includes('_uninstall_')) {
        // A destroy-time command may only reference the step itself.
        expect(command).toContain("'--kubeconfig=${self.output.kubeconfig}'");
        expect(step.input).toEqual({ kubeconfig: '${var.kubeconfig_path}' });
      } else {
        expect(command).toContain("'--kubeconfig=${var.kubeconfig_path}'");
      }
    }
  });

  test('files the steps read at deploy time are named by absolute paths', () => {
    const relativeCa = join('test', 'fixtures', 'oci', 'tree', 'README.md');
    const { step } = synth({ ...story1, caFile: relativeCa, kubeconfig: 'kubeconfig.yaml' });
    const command = step('sync').provisioner[0]['local-exec'].command;
    expect(command).toContain(`--ca-file=${join(process.cwd(), relativeCa)}`);
    expect(command).toContain(`--kubeconfig=${join(process.cwd(), 'kubeconfig.yaml')}`);
  });

  test('clusters sharing the components build the artifact once', () => {
    const app = Testing.app() as App;
    const a = new FluxBootstrapOci(new TerraformStack(app, 'a'), 'flux', story2);
    const b = new FluxBootstrapOci(new TerraformStack(app, 'b'), 'flux', {
      ...story2,
      clusterPath: 'other',
    });
    expect(b.componentsLayout).toBe(a.componentsLayout);
  });

  test('the same options give the same digest; another option another one', () => {
    const digest = (props: FluxBootstrapOciProps) => synth(props).flux.componentsLayout.digest;
    expect(digest(story2)).toBe(digest(story2));
    expect(digest({ ...story2, logLevel: 'debug' })).not.toBe(digest(story2));
  });

  test('fails on a literal password', () => {
    expect(() => synth({ ...story1, password: 'hunter2' })).toThrow(
      /password must not be written in the app's code .* FluxBootstrapOci.sensitiveVariable/,
    );
  });

  test('fails outside a stack', () => {
    expect(() => new FluxBootstrapOci(Testing.app() as App, 'flux', story2)).toThrow(
      /TerraformStack/,
    );
  });

  test('fails on a bad option before building anything', () => {
    expect(() => synth({ ...story1, url: 'https://ghcr.io/x' })).toThrow(/is not an OCI URL/);
  });

  test('fails clearly without a manifests bundle', () => {
    expect(() => synth({ ...story2, manifests: '/nonexistent/bundle' })).toThrow(
      /building the Flux components artifact failed: .*\/nonexistent\/bundle/,
    );
  });
});
