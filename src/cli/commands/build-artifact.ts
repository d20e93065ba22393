import type { Command } from 'commander';
import { buildLayer } from '../../oci/content/build.js';
import { DEFAULT_IGNORE_PATHS } from '../../oci/content/ignore.js';
import { writeLayerFile } from '../../oci/content/layer-file.js';
import { group } from '../group.js';

interface BuildArtifactFlags {
  readonly path?: string;
  readonly output: string;
  readonly ignorePaths?: string[];
  readonly addIgnorePaths?: string[];
  readonly resolveSymlinks?: boolean;
}

/**
 * Registers `flux-oci build artifact`, Flux's command of the same name: the gzip tarball of
 * a directory, a single file or stdin (`-p -`), written with mode 0640. Its tar is the one
 * Flux 2.9 builds for the same tree.
 */
export function register(program: Command): void {
  group(program, 'build', 'Build artifacts')
    .command('artifact')
    .description(
      'Build a tgz file with the manifests from the given directory or a single manifest file',
    )
    .option('-p, --path <path>', 'path to the directory, file, or - for stdin')
    .option(
      '-o, --output <file>',
      'path to where the artifact tgz file should be written',
      'artifact.tgz',
    )
    .option(
      '--ignore-paths <paths>',
      `set paths to ignore in .gitignore format, comma separated (default "${DEFAULT_IGNORE_PATHS.join(',')}")`,
      collectCsv,
    )
    .option(
      '--add-ignore-paths <paths>',
      'paths to ignore in addition to --ignore-paths',
      collectCsv,
    )
    .option('--resolve-symlinks', 'resolve symlinks by copying their targets into the artifact')
    .action(async (flags: BuildArtifactFlags) => {
      const path = flags.path ?? '';
      const stdin = path === '-' ? await readStdin() : undefined;
      const { layer } = buildLayer({
        path,
        stdin,
        ignorePaths: [
          ...(flags.ignorePaths ?? DEFAULT_IGNORE_PATHS),
          ...(flags.addIgnorePaths ?? []),
        ],
        resolveSymlinks: flags.resolveSymlinks ?? false,
      });
      process.stderr.write(`► building artifact from ${path}\n`);
      writeLayerFile(flags.output, layer.bytes);
      process.stderr.write(`✔ artifact created at ${flags.output}\n`);
    });
}

/** pflag's string slice: each use is one CSV record, repeated uses append. */
function collectCsv(value: string, previous: string[] | undefined): string[] {
  return [...(previous ?? []), ...splitCsvRecord(value)];
}

/** One CSV record (Go's encoding/csv): commas separate, `"…"` quotes, `""` is a quote. */
export function splitCsvRecord(value: string): string[] {
  if (value === '') return [];
  const fields: string[] = [];
  let field = '';
  let quoted = false;
  for (let i = 0; i < value.length; i++) {
    const char = value[i];
    if (quoted) {
      if (char === '"' && value[i + 1] === '"') {
        field += '"';
        i++;
      } else if (char === '"') quoted = false;
      else field += char;
    } else if (char === '"' && field === '') quoted = true;
    else if (char === ',') {
      fields.push(field);
      field = '';
    } else field += char;
  }
  fields.push(field);
  return fields;
}

async function readStdin(): Promise<Uint8Array> {
  const chunks: Buffer[] = [];
  for await (const chunk of process.stdin) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks);
}
