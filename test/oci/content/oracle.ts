import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';

/** What Flux 2.9's own libraries build for a path (tools/flux-artifact-oracle). */
export interface OracleOutput {
  readonly tar: Buffer;
  readonly gzip: Buffer;
  readonly manifest?: Buffer;
  readonly config?: Buffer;
}

export interface OracleOptions {
  /** Patterns; undefined = Flux's defaults. */
  readonly ignore?: readonly string[];
  readonly created?: string;
  readonly source?: string;
  readonly revision?: string;
  readonly annotations?: readonly string[];
}

/** Building the oracle takes a while on a cold machine (cached afterwards). */
export const ORACLE_TIMEOUT_MS = 600_000;

let binary: string | undefined;

/** Builds (once, cached by scripts/go-tool.sh) and returns the oracle's path. */
export function oracleBinary(): string {
  binary ??= execFileSync(resolve('scripts/go-tool.sh'), ['flux-artifact-oracle'], {
    encoding: 'utf8',
    stdio: ['ignore', 'pipe', 'inherit'],
  }).trim();
  return binary;
}

export function runOracle(path: string, options: OracleOptions = {}): OracleOutput {
  const out = mkdtempSync(join(tmpdir(), 'oracle-out-'));
  try {
    const args = [
      '--path',
      path,
      '--tar',
      join(out, 'layer.tar'),
      '--gzip',
      join(out, 'layer.tgz'),
    ];
    if (options.ignore) {
      // An empty list still has to replace the defaults: an empty pattern is dropped.
      for (const pattern of options.ignore.length > 0 ? options.ignore : ['']) {
        args.push('--ignore', pattern);
      }
    }
    const withManifest = options.created !== undefined;
    if (withManifest) {
      args.push('--manifest', join(out, 'manifest.json'), '--config', join(out, 'config.json'));
      args.push('--created', options.created!, '--source', options.source ?? '');
      args.push('--revision', options.revision ?? '');
      for (const a of options.annotations ?? []) args.push('--annotation', a);
    }
    execFileSync(oracleBinary(), args, { stdio: ['ignore', 'ignore', 'inherit'] });
    return {
      tar: readFileSync(join(out, 'layer.tar')),
      gzip: readFileSync(join(out, 'layer.tgz')),
      manifest: withManifest ? readFileSync(join(out, 'manifest.json')) : undefined,
      config: withManifest ? readFileSync(join(out, 'config.json')) : undefined,
    };
  } finally {
    rmSync(out, { recursive: true, force: true });
  }
}

/** Questions for the oracle's --match mode: sourceignore decisions and filepath.Match results. */
export interface MatchQuestions {
  readonly patterns: readonly string[];
  readonly paths: readonly { readonly path: string; readonly dir: boolean }[];
  readonly globs: readonly (readonly [string, string])[];
}

export interface MatchAnswers {
  readonly ignored: boolean[];
  readonly globs: string[];
}

export function askOracle(questions: MatchQuestions): MatchAnswers {
  const out = execFileSync(oracleBinary(), ['--match'], {
    input: JSON.stringify(questions),
    encoding: 'utf8',
    maxBuffer: 64 * 1024 * 1024,
  });
  return JSON.parse(out) as MatchAnswers;
}

/** Extracts a gzip layer file with fluxcd/pkg/tar Untar (what source-controller runs). */
export function oracleUntar(layerFile: string, into: string): void {
  execFileSync(oracleBinary(), ['--untar', layerFile, '--into', into], {
    stdio: ['ignore', 'ignore', 'inherit'],
  });
}
