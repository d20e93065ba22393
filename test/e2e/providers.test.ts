// The providers the construct renders with, hashicorp/kubernetes 2.38.0 and hashicorp/null
// 3.2.4 built from ../shared/third-party (tools/terraform-provider-*), work offline with
// OpenTofu and with Terraform: `init` installs them from the harness's mirror, and a small
// configuration against the real API server applies a write-only Secret (data_wo: the value
// reaches the cluster, not the state), a kubernetes_manifest ConfigMap and a null_resource
// whose local-exec runs.
import { CoreV1Api, KubeConfig } from '@kubernetes/client-node';
import { execFile } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startCluster, type Cluster } from './harness/cluster.js';
import { START_TIMEOUT, STOP_TIMEOUT, teardown } from './harness/teardown.js';
import { enginesOf, prepareTerraform, type TerraformSetup } from './harness/terraform.js';

// A cold machine builds the providers here (minutes): scripts/prepare-harness.sh does it first in CI.
const tf: TerraformSetup = await prepareTerraform({
  require: ['hashicorp/kubernetes', 'hashicorp/null'],
});
const engines = enginesOf(tf);
if (engines.skipped)
  test.skip(`the kubernetes and null providers with ${engines.skipped}`, () => {});

/** What one command of the engine can take on a loaded 2-core machine. */
const COMMAND_TIMEOUT = 5 * 60 * 1000;

// The configuration under test; the Secret's value comes in as a sensitive variable, as the
// construct's passwords do (TF_VAR_<name>).
const config = (kubeconfig: string, name: string): string => `
terraform {
  required_providers {
    kubernetes = {
      source  = "hashicorp/kubernetes"
      version = "2.38.0"
    }
    null = {
      source  = "hashicorp/null"
      version = "3.2.4"
    }
  }
}

variable "secret_value" {
  type      = string
  sensitive = true
}

variable "secret_revision" {
  type = number
}

provider "kubernetes" {
  config_path = ${JSON.stringify(kubeconfig)}
}

resource "kubernetes_secret_v1" "wo" {
  metadata {
    name      = "${name}"
    namespace = "default"
  }
  data_wo          = { password = var.secret_value }
  data_wo_revision = var.secret_revision
}

resource "kubernetes_manifest" "config" {
  manifest = {
    apiVersion = "v1"
    kind       = "ConfigMap"
    metadata   = { name = "${name}", namespace = "default" }
    data       = { greeting = "from kubernetes_manifest" }
  }
}

resource "null_resource" "step" {
  triggers = { secret = kubernetes_secret_v1.wo.metadata[0].uid }
  provisioner "local-exec" {
    command     = "printf '%s' \\"$STEP_MESSAGE\\" > local-exec.out"
    working_dir = path.module
    environment = { STEP_MESSAGE = "local-exec ran after \${kubernetes_secret_v1.wo.metadata[0].name}" }
  }
}
`;

let cluster: Cluster;
let core: CoreV1Api;

beforeAll(async () => {
  cluster = await startCluster();
  const kc = new KubeConfig();
  kc.loadFromFile(cluster.kubeconfigPath);
  core = kc.makeApiClient(CoreV1Api);
}, START_TIMEOUT);

afterAll(async () => {
  await teardown({ cluster });
}, STOP_TIMEOUT);

describe.each(engines.run)('the kubernetes and null providers with %s', (engine, binary) => {
  const name = `providers-${engine.toLowerCase()}`;
  // Distinct per run, so a find in the state is this value and nothing else.
  const values = [1, 2].map((n) => `wo-${n}-${randomBytes(12).toString('hex')}`);
  const host = engine === 'OpenTofu' ? 'registry.opentofu.org' : 'registry.terraform.io';
  let work: string;
  const outputs: string[] = [];

  /** Runs the engine in the work directory; its exit code and its stdout and stderr together. */
  const runEngine = (
    args: string[],
    vars: { value: string; revision: number },
  ): Promise<{ code: number; output: string }> =>
    new Promise((resolve) => {
      execFile(
        binary,
        [...args, '-no-color'],
        {
          cwd: work,
          timeout: COMMAND_TIMEOUT,
          maxBuffer: 64 * 1024 * 1024,
          env: {
            ...process.env,
            ...tf.env,
            // Offline: a connection to anything but loopback (a registry, a checkpoint) fails.
            HTTPS_PROXY: 'http://127.0.0.1:9',
            HTTP_PROXY: 'http://127.0.0.1:9',
            NO_PROXY: '',
            TF_VAR_secret_value: vars.value,
            TF_VAR_secret_revision: String(vars.revision),
          },
        },
        (err, stdout, stderr) => {
          const output = `$ ${engine} ${args.join(' ')}\n${stdout}${stderr}`;
          outputs.push(output);
          const code = err ? (typeof err.code === 'number' ? err.code : -1) : 0;
          resolve({ code, output });
        },
      );
    });
  const mustRun = async (args: string[], vars: { value: string; revision: number }) => {
    const result = await runEngine(args, vars);
    if (result.code !== 0)
      throw new Error(`${engine} ${args[0]} exited ${result.code}\n${result.output}`);
    return result.output;
  };
  const secretData = async (): Promise<Record<string, string>> => {
    const secret = await core.readNamespacedSecret({ name, namespace: 'default' });
    return Object.fromEntries(
      Object.entries(secret.data ?? {}).map(([k, v]) => [k, Buffer.from(v, 'base64').toString()]),
    );
  };
  const state = () => readFileSync(join(work, 'terraform.tfstate'), 'utf8');

  beforeAll(() => {
    work = mkdtempSync(join(tmpdir(), `flux-oci-providers-${engine.toLowerCase()}-`));
    writeFileSync(join(work, 'main.tf'), config(cluster.kubeconfigPath, name));
  });

  afterAll(() => {
    if (work && !process.env.FLUX_OCI_KEEP_HARNESS) rmSync(work, { recursive: true, force: true });
  });

  test(
    'init installs both providers from the mirror, offline',
    async () => {
      await mustRun(['init', '-input=false'], { value: values[0], revision: 1 });
      for (const [provider, version] of [
        ['kubernetes', '2.38.0'],
        ['null', '3.2.4'],
      ]) {
        const installed = join(work, '.terraform', 'providers', host, 'hashicorp', provider);
        expect({
          provider,
          installed: existsSync(join(installed, version, 'linux_amd64')),
        }).toEqual({ provider, installed: true });
        expect(readFileSync(join(work, '.terraform.lock.hcl'), 'utf8')).toContain(
          `provider "${host}/hashicorp/${provider}" {\n  version     = "${version}"`,
        );
      }
    },
    COMMAND_TIMEOUT,
  );

  test(
    'apply writes the Secret through data_wo, the ConfigMap and runs the local-exec',
    async () => {
      const output = await mustRun(['apply', '-auto-approve', '-input=false'], {
        value: values[0],
        revision: 1,
      });

      expect(await secretData()).toEqual({ password: values[0] });
      const map = await core.readNamespacedConfigMap({ name, namespace: 'default' });
      expect(map.data).toEqual({ greeting: 'from kubernetes_manifest' });
      expect(readFileSync(join(work, 'local-exec.out'), 'utf8')).toBe(
        `local-exec ran after ${name}`,
      );

      const list = await mustRun(['state', 'list'], { value: values[0], revision: 1 });
      expect(
        list
          .split('\n')
          .filter((l) => /^[a-z0-9_]+\.[a-z0-9_]+$/.test(l))
          .sort(),
      ).toEqual(['kubernetes_manifest.config', 'kubernetes_secret_v1.wo', 'null_resource.step']);
      // Write-only: neither the value nor its base64 is in the state or the output.
      const forms = { value: values[0], base64: Buffer.from(values[0]).toString('base64') };
      for (const [where, text] of Object.entries({ state: state(), 'apply output': output }))
        for (const [form, value] of Object.entries(forms))
          expect({ where, form, found: text.includes(value) }).toEqual({
            where,
            form,
            found: false,
          });
      const resources = (
        JSON.parse(state()) as {
          resources: { type: string; instances: { attributes: Record<string, unknown> }[] }[];
        }
      ).resources;
      const secret = resources.find((r) => r.type === 'kubernetes_secret_v1');
      expect(secret?.instances[0].attributes).toMatchObject({
        data: null,
        data_wo: null,
        data_wo_revision: 1,
      });
    },
    2 * COMMAND_TIMEOUT,
  );

  test(
    'a second plan with the same inputs has no changes',
    async () => {
      const plan = await runEngine(['plan', '-detailed-exitcode', '-input=false'], {
        value: values[0],
        revision: 1,
      });
      expect(plan.code === 0 ? 'no changes' : plan.output).toBe('no changes');
    },
    COMMAND_TIMEOUT,
  );

  test(
    'a new value without a bumped data_wo_revision changes nothing (write-only: no diff)',
    async () => {
      const plan = await runEngine(['plan', '-detailed-exitcode', '-input=false'], {
        value: values[1],
        revision: 1,
      });
      expect(plan.code === 0 ? 'no changes' : plan.output).toBe('no changes');
    },
    COMMAND_TIMEOUT,
  );

  test(
    'a new value with a bumped data_wo_revision rewrites the Secret, and only the Secret',
    async () => {
      const plan = await mustRun(['plan', '-input=false'], { value: values[1], revision: 2 });
      expect(plan).toMatch(/kubernetes_secret_v1\.wo will be updated in-place/);
      expect(plan).toMatch(/Plan: 0 to add, 1 to change, 0 to destroy/);
      await mustRun(['apply', '-auto-approve', '-input=false'], { value: values[1], revision: 2 });
      expect(await secretData()).toEqual({ password: values[1] });
      const leaks = (text: string) => values.filter((v) => text.includes(v));
      expect({ inState: leaks(state()) }).toEqual({ inState: [] });
      // Nothing any run printed holds a value.
      expect({ printedBy: outputs.filter((o) => leaks(o).length) }).toEqual({ printedBy: [] });
    },
    2 * COMMAND_TIMEOUT,
  );
});
