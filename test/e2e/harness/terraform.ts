// The Terraform side of the harness: OpenTofu built from its Go module, Terraform where
// the machine has it, and a filesystem mirror of the providers built from tools/
// terraform-provider-<name> (tool.conf: PROVIDER_VERSION=), with a CLI configuration that
// installs providers from that mirror only, so init, plan and apply never go online.
import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import { copyFile, mkdir, readdir, readFile, rename, writeFile } from 'node:fs/promises';
import { homedir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { goTool, repoRoot } from './tools.js';

const run = promisify(execFile);

export interface TerraformSetup {
  /** OpenTofu, built from github.com/opentofu/opentofu. */
  tofuPath: string;
  /** Terraform, when the machine has one (PATH or /usr/local/bin). */
  terraformPath?: string;
  /** <mirror>/<registry.terraform.io and registry.opentofu.org>/hashicorp/<name>/<version>/linux_amd64/terraform-provider-<name>_v<version> */
  mirrorDir: string;
  /** The providers in the mirror, as registry.terraform.io/hashicorp/<name> → version. */
  providers: Record<string, string>;
  /** The CLI configuration file (provider_installation from the mirror only). */
  cliConfigFile: string;
  /**
   * Environment for tofu/terraform and cdktf: TF_CLI_CONFIG_FILE, no checkpoint calls,
   * TF_IN_AUTOMATION. Add TERRAFORM_BINARY_NAME=<tofuPath or terraformPath> for cdktf.
   */
  env: Record<string, string>;
}

/** The registry hosts the mirror serves each provider under (Terraform's, OpenTofu's). */
const MIRROR_HOSTS = ['registry.terraform.io', 'registry.opentofu.org'];

/** The cache shared with scripts/go-tool.sh. */
function cacheDir(): string {
  return process.env.FLUX_OCI_CACHE ?? join(homedir(), '.cache', 'flux-bootstrap-oci');
}

async function providerTools(): Promise<{ tool: string; name: string; version: string }[]> {
  const found = [];
  for (const tool of (await readdir(join(repoRoot, 'tools'))).sort()) {
    if (!tool.startsWith('terraform-provider-')) continue;
    const conf = await readFile(join(repoRoot, 'tools', tool, 'tool.conf'), 'utf8');
    const version = /^PROVIDER_VERSION=(\S+)$/m.exec(conf)?.[1];
    if (!version) throw new Error(`tools/${tool}/tool.conf must set PROVIDER_VERSION`);
    found.push({ tool, name: tool.slice('terraform-provider-'.length), version });
  }
  return found;
}

async function findTerraform(): Promise<string | undefined> {
  try {
    const { stdout } = await run('bash', ['-c', 'command -v terraform']);
    return stdout.trim() || undefined;
  } catch {
    return existsSync('/usr/local/bin/terraform') ? '/usr/local/bin/terraform' : undefined;
  }
}

/**
 * The engines a run must have, from FLUX_OCI_ENGINES (comma-separated, `tofu` and/or
 * `terraform`; .ci/run sets both unless told otherwise). Unset: OpenTofu only, and
 * Terraform where the machine has it, its tests reported as skipped by name otherwise.
 */
export function requiredEngines(): Set<'tofu' | 'terraform'> {
  const names = (process.env.FLUX_OCI_ENGINES ?? 'tofu').split(',').map((e) => e.trim());
  const unknown = names.filter((e) => e !== 'tofu' && e !== 'terraform');
  if (unknown.length) {
    throw new Error(`FLUX_OCI_ENGINES: unknown engine ${unknown.join(', ')}; use tofu,terraform`);
  }
  return new Set(names as ('tofu' | 'terraform')[]);
}

/** The engines the Terraform tests run with, and why one is left out. */
export interface Engines {
  readonly run: readonly (readonly [name: string, binary: string])[];
  /** A test title that says which engine is skipped and why (reported as skipped). */
  readonly skipped?: string;
}

/** OpenTofu always; Terraform when present, or a failure when FLUX_OCI_ENGINES requires it. */
export function enginesOf(tf: TerraformSetup): Engines {
  if (tf.terraformPath) {
    return {
      run: [
        ['OpenTofu', tf.tofuPath],
        ['Terraform', tf.terraformPath],
      ],
    };
  }
  if (requiredEngines().has('terraform')) {
    throw new Error(
      'FLUX_OCI_ENGINES requires terraform, but there is none on PATH or at /usr/local/bin/terraform ' +
        '(install it, or set FLUX_OCI_ENGINES=tofu on a machine that has no Terraform)',
    );
  }
  return {
    run: [['OpenTofu', tf.tofuPath]],
    skipped:
      'Terraform: skipped, no terraform binary on PATH or at /usr/local/bin/terraform (FLUX_OCI_ENGINES=tofu)',
  };
}

export interface TerraformOptions {
  /**
   * Providers the caller needs, as `hashicorp/<name>`: prepareTerraform fails at once,
   * naming them, when the mirror lacks one (rather than `init` failing later).
   */
  require?: string[];
}

export async function prepareTerraform(opts: TerraformOptions = {}): Promise<TerraformSetup> {
  const tofuPath = await goTool('tofu');
  const root = join(cacheDir(), 'terraform');
  const mirrorDir = join(root, 'mirror');
  const providers: Record<string, string> = {};
  for (const p of await providerTools()) {
    const binary = await goTool(p.tool);
    // Under both hosts: OpenTofu resolves `hashicorp/<name>` at registry.opentofu.org.
    for (const host of MIRROR_HOSTS) {
      const dir = join(mirrorDir, host, 'hashicorp', p.name, p.version, 'linux_amd64');
      await mkdir(dir, { recursive: true });
      const target = join(dir, `terraform-provider-${p.name}_v${p.version}`);
      // A copy, not a link: tofu hashes the mirror's files into .terraform.lock.hcl. Renamed
      // into place, so a concurrent run or an interrupted copy never leaves half a binary.
      if (!existsSync(target)) {
        const partial = join(root, `${p.tool}.${process.pid}.partial`);
        await copyFile(binary, partial);
        await rename(partial, target);
      }
    }
    providers[`registry.terraform.io/hashicorp/${p.name}`] = p.version;
  }
  const missing = (opts.require ?? []).filter((p) => !providers[`registry.terraform.io/${p}`]);
  if (missing.length) {
    throw new Error(
      `the provider mirror lacks ${missing.join(', ')}: no tools/terraform-provider-<name> builds it ` +
        '(README, "Tests against real components": they are built from ../shared/third-party)',
    );
  }
  await mkdir(mirrorDir, { recursive: true });
  const cliConfigFile = join(root, 'cli.tfrc');
  await writeFile(
    cliConfigFile,
    [
      '# Written by test/e2e/harness/terraform.ts: providers come from the local mirror only.',
      'provider_installation {',
      '  filesystem_mirror {',
      `    path    = ${JSON.stringify(mirrorDir)}`,
      '    include = ["*/*/*"]',
      '  }',
      '}',
      '',
    ].join('\n'),
  );
  return {
    tofuPath,
    terraformPath: await findTerraform(),
    mirrorDir,
    providers,
    cliConfigFile,
    env: { TF_CLI_CONFIG_FILE: cliConfigFile, CHECKPOINT_DISABLE: '1', TF_IN_AUTOMATION: '1' },
  };
}
