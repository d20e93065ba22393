// The oracle: the real kustomize CLI (built from its Go module by scripts/go-tool.sh, cached).
import { execFileSync } from 'node:child_process';
import { join } from 'node:path';
import { parseAllDocuments } from 'yaml';

const ROOT = join(import.meta.dirname, '..', '..');
let binary: string | undefined;

/** Path of the kustomize binary; builds it on first use (minutes on a cold machine). */
export function kustomizeBinary(): string {
  binary ??= execFileSync(join(ROOT, 'scripts', 'go-tool.sh'), ['kustomize'], {
    encoding: 'utf8',
    stdio: ['ignore', 'pipe', 'inherit'],
  }).trim();
  return binary;
}

/**
 * `kustomize build` of `dir` as Flux runs it: no re-sorting, no load restrictions.
 * Returns the objects as plain data, in output order.
 */
export function kustomizeBuild(dir: string): Record<string, unknown>[] {
  const out = execFileSync(
    kustomizeBinary(),
    ['build', '--reorder', 'none', '--load-restrictor', 'LoadRestrictionsNone', dir],
    { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'], maxBuffer: 64 * 1024 * 1024 },
  );
  return parseAllDocuments(out)
    .map((d) => d.toJS() as Record<string, unknown> | null)
    .filter((o): o is Record<string, unknown> => o !== null);
}
