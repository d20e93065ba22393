import { App, TerraformStack, TerraformVariable, Testing } from 'cdktf';
import { FluxOciStep } from '../../src/cdktf/flux-oci-step.js';
import { unpackComponents } from '../../src/bootstrap/build-components.js';
import { readOciLayout } from '../../src/oci/layout.js';
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { homedir, tmpdir } from 'node:os';
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
  provisioner: {
    'local-exec': { command: string; when?: string; environment?: Record<string, string> };
  }[];
}

const root = join(dirname(fileURLToPath(import.meta.url)), '..', '..');
const bundle = join(root, 'test', 'fixtures', 'flux-bundle');

const story1: FluxBootstrapOciProps = {
  rendering: 'terraform-data',
  url: 'oci://ghcr.io/acme/flux-manifests:production',
  username: 'flux',
  password: FluxBootstrapOci.sensitiveVariable('oci_password'),
  clusterUrl: 'oci://ghcr.io/acme/fleet:production',
  clusterUsername: 'fleet-reader',
  clusterPassword: FluxBootstrapOci.sensitiveVariable('oci_cluster_password'),
  clusterPath: 'clusters/production',
  manifests: bundle,
  kubeconfig: '/home/ci/.kube/config',
};

const story2: FluxBootstrapOciProps = {
  rendering: 'terraform-data',
  url: 'oci://123456789012.dkr.ecr.eu-west-1.amazonaws.com/flux-manifests:production',
  provider: 'aws',
  kustomization: join(root, 'stacks', 'story2', 'kustomization.yaml'),
  clusterUrl: 'oci://123456789012.dkr.ecr.eu-west-1.amazonaws.com/fleet:production',
  clusterPath: 'clusters/eks-production',
  manifests: bundle,
  kubeconfig: '/home/ci/.kube/config',
};

function synth(props: FluxBootstrapOciProps) {
  return synthIn(new TerraformStack(Testing.app() as App, 'cluster'), props);
}

function synthIn(stack: TerraformStack, props: FluxBootstrapOciProps) {
  const flux = new FluxBootstrapOci(stack, 'flux', props);
  const json = Testing.synth(stack);
  const steps = JSON.parse(json).resource.terraform_data as Record<string, StepJson>;
  const step = (name: string) => steps[stepKey(steps, name)];
  return { flux, json, steps, step };
}

function stepKey(steps: Record<string, StepJson>, name: string): string {
  return Object.keys(steps).find(
    (k) => k.endsWith(`_${name}_`) || k.includes(`_${name}_`) || k.endsWith(name),
  )!;
}

/**
 * Machine paths and the artifact's digest replaced, so the snapshots read the same
 * everywhere and show structure; digest stability has tests of its own.
 */
function readable(json: string): unknown {
  return JSON.parse(
    json
      // node from the PATH, the launcher relative to the (temporary) stack directory
      .replace(/node (\.\.\/)+[^ "]*?\/bin\/flux-oci\.js/g, 'node <relative>/bin/flux-oci.js')
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
    // password revision in its triggers.
    expect(step('secrets').triggers_replace).toMatchObject({
      password_revision: 1,
      cluster_password_revision: 1,
      secrets: ['flux-components', 'flux-system'],
    });
    expect(Object.keys(install.triggers_replace).sort()).toEqual(['digest', 'namespace', 'url']);
    const uninstall = step('uninstall');
    expect(uninstall.provisioner[0]['local-exec']).toMatchObject({ when: 'destroy' });
    expect(uninstall.triggers_replace).toEqual({ namespace: 'flux-system' });
    expect(readable(json)).toMatchSnapshot();
  });

  test('secretName and force reach the steps that use them', () => {
    const { step } = synth({ ...story1, secretName: 'fleet-creds', force: true });
    expect(step('install').provisioner[0]['local-exec'].command).toMatch(/ --force=true( |$)/);
    for (const name of ['secrets', 'sync']) {
      expect(step(name).provisioner[0]['local-exec'].command).toContain(
        '--secret-name=fleet-creds',
      );
    }
    expect(step('sync').triggers_replace.objects).toContainEqual(
      expect.objectContaining({
        kind: 'OCIRepository',
        spec: expect.objectContaining({ secretRef: { name: 'fleet-creds' } }),
      }),
    );
  });

  test('registryCreds: the secrets step writes the image pull Secret from the variable, rerun by its revision', () => {
    const { json, step } = synth({
      ...story1,
      imagePullSecret: 'flux-pull',
      registry: 'registry.example.com/fluxcd',
      registryCreds: FluxBootstrapOci.sensitiveVariable('registry_creds'),
      registryCredsRevision: 2,
    });
    const exec = step('secrets').provisioner[0]['local-exec'];
    expect(exec.command).toContain(' --image-pull-secret=flux-pull ');
    expect(exec.command).toContain(' --registry=registry.example.com/fluxcd ');
    // The variable's name, never its value: the step reads it from Terraform's environment.
    expect(exec.command).toMatch(/ --registry-creds-env=TF_VAR_registry_creds( |$)/);
    expect(JSON.stringify(exec.environment ?? {})).not.toContain('registry_creds');
    expect(step('secrets').triggers_replace).toMatchObject({
      registry_creds_revision: 2,
      registry: 'registry.example.com/fluxcd',
      secrets: ['flux-components', 'flux-system', 'flux-pull'],
    });
    // The sync and install steps do not need it.
    for (const name of ['install', 'sync'])
      expect(step(name).provisioner[0]['local-exec'].command).not.toContain('registry-creds');
    expect(JSON.parse(json).variable.registry_creds).toEqual({
      type: 'string',
      sensitive: true,
      nullable: false,
      description: 'registryCreds for the Flux bootstrap; set it with TF_VAR_registry_creds',
      validation: [
        {
          condition: '${can(regex("^[^:]+:[^:]+$", var.registry_creds))}',
          error_message:
            "registryCreds (TF_VAR_registry_creds) must be 'user:password' with exactly one ':'.",
        },
      ],
    });
  });

  test('registryCreds: the components reference the image pull Secret in every Deployment', () => {
    const { flux } = synth({
      ...story1,
      imagePullSecret: 'flux-pull',
      registryCreds: FluxBootstrapOci.sensitiveVariable('registry_creds'),
    });
    const objects = unpackComponents(readOciLayout(flux.componentsLayout.dir), 'flux-system');
    const deployments = objects.filter((o) => o.kind === 'Deployment');
    expect(deployments.length).toBeGreaterThan(0);
    for (const d of deployments) {
      expect({
        name: d.metadata.name,
        pullSecrets: (d.spec as { template: { spec: { imagePullSecrets?: unknown } } }).template
          .spec.imagePullSecrets,
      }).toEqual({ name: d.metadata.name, pullSecrets: [{ name: 'flux-pull' }] });
    }
  });

  test.each(['terraform-data', 'providers'] as const)(
    'registryCreds must be a sensitive variable, with imagePullSecret (rendering %s)',
    (rendering) => {
      const props = { ...story1, rendering, imagePullSecret: 'flux-pull' };
      expect(() => synth({ ...props, registryCreds: 'puller:s3cret' })).toThrow(
        "registryCreds must not be written in the app's code (it would be stored in cdk.tf.json): pass FluxBootstrapOci.sensitiveVariable('registry_creds') and set TF_VAR_registry_creds holding 'user:password' with exactly one ':' in the pipeline's environment",
      );
      expect(() =>
        synth({
          ...props,
          registryCreds: `puller:${FluxBootstrapOci.sensitiveVariable('pull_password')}`,
        }),
      ).toThrow(/registryCreds must not be written in the app's code/);
      expect(() =>
        synth({
          ...story1,
          rendering,
          registryCreds: FluxBootstrapOci.sensitiveVariable('registry_creds'),
        }),
      ).toThrow(/registryCreds\) requires --image-pull-secret \(imagePullSecret\) to be set/);
      expect(() => synth({ ...props, registryCredsRevision: 2 })).toThrow(
        'registryCredsRevision is set without --registry-creds (registryCreds)',
      );
      expect(() =>
        synth({
          ...props,
          registryCreds: FluxBootstrapOci.sensitiveVariable('registry_creds'),
          registryCredsRevision: 0,
        }),
      ).toThrow('registryCredsRevision 0 is not a revision');
    },
  );

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

  test('nothing derived from a password is synthesized: no reference to it outside its variable', () => {
    const { json } = synth(story1);
    const { variable, ...rest } = JSON.parse(json) as Record<string, unknown>;
    expect(Object.keys(variable as object).sort()).toEqual([
      'oci_cluster_password',
      'oci_password',
    ]);
    expect(JSON.stringify(rest)).not.toMatch(/var\.oci_(cluster_)?password|sha256\(/);
  });

  test('raising a password revision changes the secrets step trigger and nothing else', () => {
    const before = synth(story1).steps;
    const after = synth({ ...story1, passwordRevision: 2, clusterPasswordRevision: 5 }).steps;
    expect(Object.keys(after)).toEqual(Object.keys(before));
    // The sync step's wait names the revisions in its message; its command is no part of
    // the plan (Terraform does not compare provisioners), its triggers are.
    const withoutRevisions = (step: StepJson) =>
      JSON.parse(
        JSON.stringify(step).replace(/ --(cluster-)?password-revision=\d+/g, ''),
      ) as StepJson;
    for (const name of Object.keys(before)) {
      if (name.includes('_secrets_')) continue;
      expect({ name, step: withoutRevisions(after[name]) }).toEqual({
        name,
        step: withoutRevisions(before[name]),
      });
    }
    expect(after[stepKey(after, 'sync')].provisioner[0]['local-exec'].command).toMatch(
      / --password-revision=2 --cluster-password-revision=5$/,
    );
    const secrets = stepKey(before, 'secrets');
    expect(after[secrets].triggers_replace).toEqual({
      ...before[secrets].triggers_replace,
      password_revision: 2,
      cluster_password_revision: 5,
    });
    expect(after[secrets].provisioner).toEqual(before[secrets].provisioner);
  });

  test('a CA file that is not there is named with the prop and what to do', () => {
    expect(() => synth({ ...story1, caFile: '/nonexistent/ca.pem' })).toThrow(
      "--ca-file (caFile) /nonexistent/ca.pem does not exist: give the path of the registries' PEM CA bundle, absolute or relative to the directory cdktf synth runs in",
    );
  });

  test('a user name with a colon is refused before it reaches cdk.tf.json', () => {
    expect(() => synth({ ...story1, username: 'flux:admin' })).toThrow(
      /--username \(username\) 'flux:admin' contains ':', which HTTP Basic auth's user-id cannot hold/,
    );
    expect(() => synth({ ...story1, clusterUsername: 'fleet:reader' })).toThrow(
      /--cluster-username \(clusterUsername\) 'fleet:reader' contains ':'/,
    );
  });

  test('out-of-range intervals and timeouts are refused with the prop', () => {
    expect(() => synth({ ...story1, interval: '0s' })).toThrow(
      "invalid --interval (interval) '0s': it must be longer than 0",
    );
    expect(() => synth({ ...story1, retryInterval: '99999999999999h' })).toThrow(
      /invalid --retry-interval \(retryInterval\) '99999999999999h': longer than 2562047h/,
    );
    expect(() => synth({ ...story1, timeout: '600h' })).toThrow(
      /invalid --timeout \(timeout\) '600h': longer than 596h31m23s/,
    );
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
      for (const step of steps) {
        const { command, environment } = step.provisioner[0]['local-exec'];
        // Terraform resolves `${self.output.*}` (the step's input) in the environment.
        const resolved = Object.fromEntries(
          Object.entries(environment ?? {}).map(([name, value]) => [
            name,
            value.replace(/^\$\{self\.output\.(\w+)\}$/, (_, key: string) => step.input![key]),
          ]),
        );
        const result = spawnSync('sh', ['-c', command], {
          cwd: dir,
          encoding: 'utf8',
          env: {
            ...process.env,
            TF_VAR_oci_password: 'x',
            TF_VAR_oci_cluster_password: 'x',
            ...resolved,
          },
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

  test('the cluster connection may come from another resource at deploy time, in the environment', () => {
    const app = Testing.app() as App;
    const stack = new TerraformStack(app, 'cluster');
    const kubeconfig = new TerraformVariable(stack, 'kubeconfig_path', { type: 'string' });
    const context = new TerraformVariable(stack, 'kube_context', { type: 'string' });
    new FluxBootstrapOci(stack, 'flux', {
      ...story2,
      kubeconfig: kubeconfig.stringValue,
      context: context.stringValue,
    });
    const steps = JSON.parse(Testing.synth(stack)).resource.terraform_data as Record<
      string,
      StepJson
    >;
    for (const [name, step] of Object.entries(steps)) {
      const { command, environment } = step.provisioner[0]['local-exec'];
      // Terraform would substitute a reference into the command line unescaped.
      expect(command).not.toContain('${');
      expect(command).toMatch(/ --kubeconfig-env=FLUX_OCI_STEP_KUBECONFIG( |$)/);
      expect(command).toMatch(/ --context-env=FLUX_OCI_STEP_CONTEXT( |$)/);
      if (name.includes('_uninstall_')) {
        // A destroy-time provisioner may only reference the step itself.
        expect(environment).toEqual({
          FLUX_OCI_STEP_KUBECONFIG: '${self.output.kubeconfig}',
          FLUX_OCI_STEP_CONTEXT: '${self.output.context}',
        });
        expect(step.input).toEqual({
          kubeconfig: '${var.kubeconfig_path}',
          context: '${var.kube_context}',
        });
      } else {
        expect(environment).toEqual({
          FLUX_OCI_STEP_KUBECONFIG: '${var.kubeconfig_path}',
          FLUX_OCI_STEP_CONTEXT: '${var.kube_context}',
        });
      }
    }
  });

  test('a hostile deploy-time kubeconfig path and context reach flux-oci as they are, and run nothing', () => {
    const outdir = mkdtempSync(join(tmpdir(), 'cdktf-out-'));
    const marker = join(outdir, 'marker');
    const hostile = (what: string) =>
      `/nonexistent/it's "${what}" $(touch ${marker}); touch ${marker}; \`touch ${marker}\`\n${what}`;
    try {
      const app = new App({ outdir });
      const stack = new TerraformStack(app, 'cluster');
      const kubeconfig = new TerraformVariable(stack, 'kc', { type: 'string' });
      const context = new TerraformVariable(stack, 'ctx', { type: 'string' });
      new FluxBootstrapOci(stack, 'flux', {
        ...story1,
        kubeconfig: kubeconfig.stringValue,
        context: context.stringValue,
      });
      app.synth();
      const dir = join(outdir, 'stacks', 'cluster');
      const json = JSON.parse(readFileSync(join(dir, 'cdk.tf.json'), 'utf8'));
      const steps = Object.values(json.resource.terraform_data as Record<string, StepJson>);
      expect(steps).toHaveLength(4);
      // What Terraform does with the command and the environment: substitute the values.
      const values: Record<string, string> = {
        'var.kc': hostile('kubeconfig'),
        'var.ctx': hostile('context'),
        'self.output.kubeconfig': hostile('kubeconfig'),
        'self.output.context': hostile('context'),
      };
      const substitute = (text: string) =>
        text.replace(/\$\{([\w.]+)\}/g, (_, ref: string) => values[ref]);
      for (const step of steps) {
        const { command, environment } = step.provisioner[0]['local-exec'];
        const result = spawnSync('sh', ['-c', substitute(command)], {
          cwd: dir,
          encoding: 'utf8',
          env: {
            ...process.env,
            TF_VAR_oci_password: 'x',
            TF_VAR_oci_cluster_password: 'x',
            ...Object.fromEntries(
              Object.entries(environment ?? {}).map(([k, v]) => [k, substitute(v)]),
            ),
          },
          timeout: 60_000,
        });
        expect({ command, stderr: result.stderr }).toEqual({
          command,
          stderr: `✗ kubeconfig ${hostile('kubeconfig')} does not exist: pass the path of an existing file\n`,
        });
      }
      expect(existsSync(marker)).toBe(false);
    } finally {
      rmSync(outdir, { recursive: true, force: true });
    }
  }, 120_000);

  test('no command holds anything Terraform would substitute, whatever the props', () => {
    const app = Testing.app() as App;
    const stack = new TerraformStack(app, 'cluster');
    const user = new TerraformVariable(stack, 'user', { type: 'string' });
    const { steps } = synthIn(stack, {
      ...story1,
      username: user.stringValue,
      clusterUsername: user.stringValue,
      kubeconfig: '/home/ci/${path.module}/kubeconfig',
      context: 'ctx-%{ if true }x%{ endif }',
    });
    for (const step of Object.values(steps)) {
      expect(step.provisioner[0]['local-exec'].command).not.toMatch(/[$%]\{/);
    }
    expect(steps[stepKey(steps, 'install')].provisioner[0]['local-exec'].environment).toEqual({
      FLUX_OCI_STEP_KUBECONFIG: '/home/ci/${path.module}/kubeconfig',
      FLUX_OCI_STEP_CONTEXT: 'ctx-%{ if true }x%{ endif }',
      FLUX_OCI_STEP_USERNAME: '${var.user}',
    });
  });

  test('the CA file is copied next to the stack; a relative kubeconfig is resolved where synth runs', () => {
    const relativeCa = join('test', 'fixtures', 'oci', 'tree', 'README.md');
    const { step } = synth({ ...story1, caFile: relativeCa, kubeconfig: 'kubeconfig.yaml' });
    const command = step('sync').provisioner[0]['local-exec'].command;
    expect(command).toMatch(
      / --ca-file=assets\/flux_ca-file_[0-9A-F]{8}\/[0-9A-F]{32}\/README\.md /,
    );
    expect(command).toContain(`--kubeconfig=${join(process.cwd(), 'kubeconfig.yaml')}`);
  });

  test("without a kubeconfig the steps name none: flux-oci uses the deploying machine's", () => {
    const { json, steps } = synth({ ...story1, kubeconfig: undefined });
    expect(json).not.toContain('kubeconfig');
    expect(json).not.toContain(homedir());
    for (const step of Object.values(steps))
      expect(step.provisioner[0]['local-exec'].command).toMatch(/^node \.\.\//);
  });

  test('clusters sharing the components build the artifact once', () => {
    const app = Testing.app() as App;
    const a = new FluxBootstrapOci(new TerraformStack(app, 'a'), 'flux', story2);
    const b = new FluxBootstrapOci(new TerraformStack(app, 'b'), 'flux', {
      ...story2,
      clusterPath: 'clusters/other',
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
