import { App, TerraformStack, TerraformVariable, Testing } from 'cdktf';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { homedir, tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import {
  FluxBootstrapOci,
  type FluxBootstrapOciProps,
} from '../../src/cdktf/flux-bootstrap-oci.js';

const root = join(dirname(fileURLToPath(import.meta.url)), '..', '..');
const bundle = join(root, 'test', 'fixtures', 'flux-bundle');

const story1: FluxBootstrapOciProps = {
  rendering: 'providers',
  url: 'oci://ghcr.io/acme/flux-manifests:production',
  username: 'flux',
  password: FluxBootstrapOci.sensitiveVariable('oci_password'),
  clusterUrl: 'oci://registry.example.com/fleet:production',
  clusterUsername: 'fleet-reader',
  clusterPassword: FluxBootstrapOci.sensitiveVariable('oci_cluster_password'),
  clusterPath: 'clusters/production',
  manifests: bundle,
};

interface Json {
  provider: Record<string, Record<string, unknown>[]>;
  data?: Record<string, Record<string, Record<string, unknown>>>;
  resource: Record<string, Record<string, Record<string, unknown>>>;
  terraform: Record<string, unknown>;
}

// The output directory inside the project, as `cdktf synth` puts it (cdktf.out).
let outdir: string;
let caDir: string;
let caFile: string;
beforeAll(() => {
  outdir = mkdtempSync(join(root, '.cdktf-out-test-'));
  caDir = mkdtempSync(join(tmpdir(), 'flux-oci-ca-'));
  caFile = join(caDir, 'ca.pem');
  writeFileSync(caFile, '-----BEGIN CERTIFICATE-----\nMIIB\n-----END CERTIFICATE-----\n');
});
afterAll(() => {
  rmSync(outdir, { recursive: true, force: true });
  rmSync(caDir, { recursive: true, force: true });
});

function synth(props: FluxBootstrapOciProps = story1) {
  const app = Testing.app({ outdir }) as App;
  const stack = new TerraformStack(app, 'cluster');
  const flux = new FluxBootstrapOci(stack, 'flux', props);
  const text = Testing.synth(stack);
  const syncText = flux.syncStack ? Testing.synth(flux.syncStack) : '{}';
  return {
    app,
    flux,
    text,
    syncText,
    json: JSON.parse(text) as Json,
    sync: JSON.parse(syncText) as Json,
  };
}
const only = <T>(map: Record<string, T> | undefined): T[] => Object.values(map ?? {});

describe("FluxBootstrapOci with rendering: 'providers'", () => {
  test('the pre-apply null_resource is triggered by the digest, the URL and the cluster UID', () => {
    const { flux, json } = synth();
    const [preApply] = only(json.resource.null_resource) as {
      triggers: Record<string, string>;
      provider: string;
    }[];
    expect(preApply.triggers).toEqual({
      digest: flux.componentsLayout.digest,
      url: story1.url,
      namespace: 'flux-system',
      cluster_uid: expect.stringMatching(
        /^\$\{data\.kubernetes_namespace_v1\.flux_kube-system_[0-9A-F]{8}\.metadata\[0\]\.uid\}$/,
      ),
    });
    expect(only(json.data?.kubernetes_namespace_v1)[0]).toMatchObject({
      metadata: { name: 'kube-system' },
      provider: 'kubernetes.flux',
    });
    expect(preApply.provider).toBe('null.flux');
  });

  test('the registry Secrets are write-only, from the variables, with the revisions', () => {
    const { json } = synth({ ...story1, passwordRevision: 3 });
    const secrets = json.resource.kubernetes_secret_v1;
    const byName = Object.fromEntries(
      only(secrets).map((s) => [(s.metadata as { name: string }).name, s]),
    );
    expect(Object.keys(byName).sort()).toEqual(['flux-components', 'flux-system']);
    expect(byName['flux-components']).toMatchObject({
      type: 'kubernetes.io/dockerconfigjson',
      data_wo_revision: 3,
      data_wo: {
        '.dockerconfigjson': expect.stringMatching(
          /^\$\{jsonencode\(\{"auths" = \{"ghcr\.io" = \{"username" = "flux", "password" = var\.oci_password, "auth" = base64encode\(join\("", \["flux", ":", var\.oci_password\]\)\)\}\}\}\)\}$/,
        ),
      },
    });
    expect(byName['flux-system']).toMatchObject({ data_wo_revision: 1 });
    expect(JSON.stringify(byName['flux-system'])).toContain('var.oci_cluster_password');
    for (const secret of only(secrets)) expect(secret.data).toBeUndefined();
  });

  test('registryCreds: a write-only image pull Secret for the registry, with its revision', () => {
    const { json, text } = synth({
      ...story1,
      imagePullSecret: 'flux-pull',
      registry: 'registry.example.com/fluxcd',
      registryCreds: FluxBootstrapOci.sensitiveVariable('registry_creds'),
      registryCredsRevision: 4,
    });
    const pull = only(json.resource.kubernetes_secret_v1).find(
      (s) => (s.metadata as { name: string }).name === 'flux-pull',
    );
    expect(pull).toEqual({
      provider: 'kubernetes.flux',
      metadata: { name: 'flux-pull', namespace: 'flux-system' },
      type: 'kubernetes.io/dockerconfigjson',
      data_wo: {
        '.dockerconfigjson':
          '${jsonencode({"auths" = {"registry.example.com/fluxcd" = {"username" = element(split(":", var.registry_creds), 0), "password" = element(split(":", var.registry_creds), 1), "auth" = base64encode(var.registry_creds)}}})}',
      },
      data_wo_revision: 4,
      depends_on: [expect.stringMatching(/^null_resource\.flux_pre-apply_[0-9A-F]{8}$/)],
    });
    // Not in any provisioner: the pre-apply and uninstall steps do not need it.
    const provisioners = [...text.matchAll(/"local-exec": (\{[^}]*\}[^}]*\})/g)].map((m) => m[1]);
    for (const p of provisioners) expect(p).not.toMatch(/registry_creds/);
    expect(only(json.resource.terraform_data)[0]).toMatchObject({
      depends_on: expect.arrayContaining([
        expect.stringMatching(/kubernetes_secret_v1\.flux_image-pull-secret/),
      ]),
    });
  });

  test('no password reaches a provisioner: the steps read TF_VAR_* from their environment', () => {
    const { text } = synth();
    const provisioners = [...text.matchAll(/"local-exec": (\{[^}]*\}[^}]*\})/g)].map((m) => m[1]);
    expect(provisioners.length).toBe(2);
    for (const p of provisioners) expect(p).not.toMatch(/var\.oci_/);
    expect(text).toContain('--password-env=TF_VAR_oci_password');
    expect(text).toContain('--cluster-password-env=TF_VAR_oci_cluster_password');
  });

  test('the sync objects are kubernetes_manifest in the sync stack, which depends on this one', () => {
    const { app, flux, sync } = synth({ ...story1, timeout: '7m' });
    expect(flux.syncStack?.node.id).toBe('cluster-sync');
    expect(flux.syncStack?.dependencies.map((d) => d.node.id)).toEqual(['cluster']);
    expect(app.node.tryFindChild('cluster-sync')).toBe(flux.syncStack);
    const manifests = only(sync.resource.kubernetes_manifest) as {
      manifest: { kind: string; metadata: { name: string }; spec: Record<string, unknown> };
      wait: unknown;
      timeouts: unknown;
      field_manager: unknown;
      provider: string;
    }[];
    expect(manifests.map((m) => `${m.manifest.kind}/${m.manifest.metadata.name}`).sort()).toEqual([
      'Kustomization/flux-components',
      'Kustomization/flux-system',
      'OCIRepository/flux-components',
      'OCIRepository/flux-system',
    ]);
    for (const m of manifests) {
      // The wait is the step's (its message names the revision to raise), not the provider's.
      expect(m.wait).toBeUndefined();
      expect(m.timeouts).toEqual({ create: '7m', update: '7m', delete: '7m' });
      expect(m.provider).toBe('kubernetes.flux');
      expect(m.field_manager).toEqual({ force_conflicts: true });
      if (m.manifest.kind === 'Kustomization')
        expect(m.manifest.spec.deletionPolicy).toBe('Orphan');
    }
  });

  test('the wait for Ready is a step in the sync stack, rerun by a new artifact, a rotation or a changed sync object', () => {
    const { flux, sync, syncText } = synth({
      ...story1,
      caFile,
      passwordRevision: 3,
      clusterPasswordRevision: 2,
    });
    const [wait] = only(sync.resource.terraform_data) as {
      triggers_replace: Record<string, unknown>;
      depends_on: string[];
      provisioner: { 'local-exec': { command: string } }[];
    }[];
    expect(wait.triggers_replace).toEqual({
      digest: flux.componentsLayout.digest,
      password_revision: 3,
      cluster_password_revision: 2,
      // Unknown in a plan that creates or changes one: the wait runs again after it.
      objects: [
        '${kubernetes_manifest.ocirepository-flux-components.object.spec}',
        '${kubernetes_manifest.kustomization-flux-components.object.spec}',
        '${kubernetes_manifest.ocirepository-flux-system.object.spec}',
        '${kubernetes_manifest.kustomization-flux-system.object.spec}',
      ],
    });
    expect(wait.depends_on.sort()).toEqual([
      'kubernetes_manifest.kustomization-flux-components',
      'kubernetes_manifest.kustomization-flux-system',
      'kubernetes_manifest.ocirepository-flux-components',
      'kubernetes_manifest.ocirepository-flux-system',
    ]);
    const command = wait.provisioner[0]['local-exec'].command;
    expect(command).toMatch(/^node (\.\.\/)+bin\/flux-oci\.js bootstrap oci --phase=wait /);
    for (const arg of [
      `--components-digest=${flux.componentsLayout.digest}`,
      '--password-env=TF_VAR_oci_password',
      '--cluster-password-env=TF_VAR_oci_cluster_password',
      '--password-revision=3',
      '--cluster-password-revision=2',
      '--cluster-path=clusters/production',
    ])
      expect(command).toContain(` ${arg}`);
    // The sync stack has its own copy of the CA, next to its directory.
    expect(command).toMatch(/ --ca-file=assets\/ca-file\/[0-9A-F]{32}\/ca\.pem /);
    expect(syncText).not.toMatch(/var\.oci_/);
  });

  test('the CA is copied next to the stack and kept in a Secret', () => {
    const { json, text } = synth({ ...story1, caFile });
    expect(text).toMatch(/--ca-file=assets\/flux_ca-file_[0-9A-F]{8}\/[0-9A-F]{32}\/ca\.pem /);
    const ca = only(json.resource.kubernetes_secret_v1).find(
      (s) => (s.metadata as { name: string }).name === 'flux-registry-ca',
    );
    expect(ca?.data).toEqual({ 'ca.crt': expect.stringContaining('BEGIN CERTIFICATE') });
  });

  test('names no absolute path of the synthesizing machine (but the local backend)', () => {
    for (const { json, sync } of [synth(), synth({ ...story1, caFile })]) {
      for (const stack of [json, sync]) {
        // cdktf's own local backend path may stay (issue 10).
        const terraform = { ...stack.terraform, backend: undefined };
        const text = JSON.stringify({ ...stack, terraform });
        for (const path of [root, process.execPath, homedir(), outdir, caDir])
          expect({ path, found: text.includes(path) }).toEqual({ path, found: false });
      }
    }
    const { text } = synth();
    expect(text).toContain(
      '"command": "node ../../../bin/flux-oci.js bootstrap oci --phase=pre-apply',
    );
    expect(text).toContain('"config_path": "${pathexpand(\\"~/.kube/config\\")}"');
  });

  test('a kubeconfig path and context configure both providers and the steps alike', () => {
    const { json, sync } = synth({ ...story1, kubeconfig: '/etc/k/config', context: 'prod' });
    for (const stack of [json, sync])
      expect(stack.provider.kubernetes).toEqual([
        { alias: 'flux', config_path: '/etc/k/config', config_context: 'prod' },
      ]);
    const text = JSON.stringify(json.resource.null_resource);
    expect(text).toContain('--kubeconfig=/etc/k/config');
    expect(text).toContain('--context=prod');
  });

  test('a connection by host, token and CA configures both providers, and the steps get it as a kubeconfig in their environment', () => {
    const app = Testing.app({ outdir }) as App;
    const stack = new TerraformStack(app, 'cluster');
    const variable = (name: string) =>
      new TerraformVariable(stack, name, { type: 'string', sensitive: true }).stringValue;
    const flux = new FluxBootstrapOci(stack, 'flux', {
      ...story1,
      connection: {
        host: 'https://203.0.113.10:6443',
        token: variable('cluster_token'),
        clusterCaCertificate: variable('cluster_ca'),
      },
    });
    const json = JSON.parse(Testing.synth(stack)) as Json;
    const sync = JSON.parse(Testing.synth(flux.syncStack!)) as Json;
    const [token, ca] = ['${var.cluster_token}', '${var.cluster_ca}'];
    for (const stack of [json, sync])
      expect(stack.provider.kubernetes).toEqual([
        {
          alias: 'flux',
          host: 'https://203.0.113.10:6443',
          token,
          cluster_ca_certificate: ca,
        },
      ]);
    const steps = [...only(json.resource.null_resource), ...only(json.resource.terraform_data)] as {
      provisioner: { 'local-exec': { command: string; environment: Record<string, string> } }[];
    }[];
    expect(steps.length).toBe(2);
    for (const step of steps) {
      const { command, environment } = step.provisioner[0]['local-exec'];
      expect(command).toMatch(
        /^set -e; umask 077; kubeconfig=\$\(mktemp\); trap 'rm -f "\$kubeconfig"' EXIT; printf '%s' "\$FLUX_OCI_STEP_KUBECONFIG_DATA" > "\$kubeconfig"; FLUX_OCI_STEP_KUBECONFIG="\$kubeconfig" node \.\.\/\.\.\/\.\.\/bin\/flux-oci\.js .* --kubeconfig-env=FLUX_OCI_STEP_KUBECONFIG /,
      );
      expect(command).not.toMatch(/[$%]\{/);
      expect(Object.keys(environment)).toContain('FLUX_OCI_STEP_KUBECONFIG_DATA');
    }
    const preApplyEnv = steps[0].provisioner[0]['local-exec'].environment;
    expect(preApplyEnv.FLUX_OCI_STEP_KUBECONFIG_DATA).toBe(
      '${yamlencode({"apiVersion" = "v1", "kind" = "Config", "clusters" = [{"name" = "flux", "cluster" = {"server" = "https://203.0.113.10:6443", "certificate-authority-data" = base64encode(var.cluster_ca)}}], "users" = [{"name" = "flux", "user" = {"token" = var.cluster_token}}], "contexts" = [{"name" = "flux", "context" = {"cluster" = "flux", "user" = "flux"}}], "current-context" = "flux"})}',
    );
    expect(steps[1].provisioner[0]['local-exec'].environment).toEqual({
      FLUX_OCI_STEP_KUBECONFIG_DATA: '${self.output.kubeconfig_data}',
    });
  });

  test('an exec plugin reaches the provider and the steps alike', () => {
    const exec = {
      apiVersion: 'client.authentication.k8s.io/v1',
      command: 'get-token',
      args: ['--cluster', 'prod'],
      env: { REGION: 'eu' },
    };
    const { json, text } = synth({ ...story1, connection: { host: 'https://k.example', exec } });
    expect(json.provider.kubernetes[0].exec).toEqual([
      {
        api_version: exec.apiVersion,
        command: 'get-token',
        args: ['--cluster', 'prod'],
        env: { REGION: 'eu' },
      },
    ]);
    expect(text).toContain(
      '\\"exec\\" = {\\"apiVersion\\" = \\"client.authentication.k8s.io/v1\\", \\"command\\" = \\"get-token\\", \\"args\\" = [\\"--cluster\\", \\"prod\\"], \\"env\\" = [{\\"name\\" = \\"REGION\\", \\"value\\" = \\"eu\\"}], \\"interactiveMode\\" = \\"Never\\"}',
    );
  });

  test('a connection given twice, or credentials without a host, are refused in one line', () => {
    expect(() => synth({ ...story1, kubeconfig: '/k', connection: { host: 'https://k' } })).toThrow(
      /^connection\.host and kubeconfig are both given: reach the cluster by one, the host with its credentials or a kubeconfig$/,
    );
    expect(() => synth({ ...story1, connection: { token: '${var.t}' } })).toThrow(
      /^connection\.token needs connection\.host: give the API server's address, or use configPath$/,
    );
    expect(() =>
      synth({ ...story1, connection: { host: 'https://k', clientCertificate: 'c' } }),
    ).toThrow(/^connection\.clientCertificate and connection\.clientKey go together/);
  });

  test('a second construct needs its own sync stack name, said in one line', () => {
    const app = Testing.app({ outdir }) as App;
    const stack = new TerraformStack(app, 'cluster');
    new FluxBootstrapOci(stack, 'flux', story1);
    expect(() => new FluxBootstrapOci(stack, 'flux2', story1)).toThrow(
      /^syncStackName 'cluster-sync' is taken by another construct of the app: give each FluxBootstrapOci its own syncStackName$/,
    );
  });

  test('is the default rendering', () => {
    const { flux, json } = synth({ ...story1, rendering: undefined });
    expect(flux.syncStack?.node.id).toBe('cluster-sync');
    expect(Object.keys(json.resource).sort()).toEqual([
      'kubernetes_secret_v1',
      'null_resource',
      'terraform_data',
    ]);
  });

  test('an unknown rendering is refused with the prop and the choices', () => {
    expect(() => synth({ ...story1, rendering: 'helm' as 'providers' })).toThrow(
      /^rendering 'helm' is not a rendering: give 'providers' or 'terraform-data'$/,
    );
  });
});
