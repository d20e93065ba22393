import { execFileSync } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { IConstruct } from 'constructs';
import { UserError } from '../errors.js';
import { COMPONENTS_KEYS, optionsToArgs } from '../bootstrap/options/option-args.js';
import type { ResolvedBootstrapOptions } from '../bootstrap/options/resolve-options.js';
import { FLUX_OCI_BIN } from './flux-oci-command.js';

/** The components artifact built at synth time, stored as an OCI image layout directory. */
export interface ComponentsLayout {
  /** The OCI image layout (`oci-layout`, `index.json`, `blobs/sha256/...`). */
  readonly dir: string;
  /** `sha256:...` of the manifest: known before apply, so it can trigger the push. */
  readonly digest: string;
}

// One build per app and set of component options: fifty clusters sharing the same
// components build the artifact once.
const builds = new WeakMap<object, Map<string, ComponentsLayout>>();

/**
 * Builds the components artifact with `flux-oci build components`, synchronously as
 * constructs must, so its digest goes into the plan. The build is deterministic: the same
 * options give the same digest on every machine.
 */
export function buildComponentsLayout(
  scope: IConstruct,
  options: ResolvedBootstrapOptions,
): ComponentsLayout {
  const args = optionsToArgs(options, COMPONENTS_KEYS);
  const key = args.join('\n');
  const root = scope.node.root;
  let cache = builds.get(root);
  if (!cache) builds.set(root, (cache = new Map()));
  const cached = cache.get(key);
  if (cached) return cached;

  const dir = mkdtempSync(join(tmpdir(), 'flux-components-'));
  let stdout: string;
  try {
    stdout = execFileSync(
      process.execPath,
      [FLUX_OCI_BIN, 'build', 'components', ...args, `--output=${dir}`, '--output-format=json'],
      { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] },
    );
  } catch (err) {
    const stderr = (err as { stderr?: string }).stderr?.trim() ?? String(err);
    throw new UserError(
      `building the Flux components artifact failed: ${stderr.replace(/^✗ /, '')}`,
    );
  }
  const { digest } = JSON.parse(stdout) as { digest: string };
  const layout = { dir, digest };
  cache.set(key, layout);
  return layout;
}
