import { Option } from 'commander';
import { DEFAULT_IGNORE_PATHS } from '../oci/content/archive/ignore.js';

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

/** pflag's string slice: each use is one CSV record, repeated uses append. */
export function collectCsv(value: string, previous: string[] | undefined): string[] {
  return [...(previous ?? []), ...splitCsvRecord(value)];
}

/** The ignore flags of the artifact commands, as commander parses them. */
export interface IgnorePathsFlags {
  readonly ignorePaths?: string[];
  readonly addIgnorePaths?: string[];
}

/** Flux's `--ignore-paths` (build, push and diff artifact): patterns replacing the defaults. */
export function ignorePathsOption(): Option {
  return new Option(
    '--ignore-paths <paths>',
    `set paths to ignore in .gitignore format, comma separated (default "${DEFAULT_IGNORE_PATHS.join(',')}")`,
  ).argParser(collectCsv);
}

/** Flux's `--add-ignore-paths` (build, push and diff artifact): patterns added to `--ignore-paths`. */
export function addIgnorePathsOption(): Option {
  return new Option(
    '--add-ignore-paths <paths>',
    'paths to ignore in addition to --ignore-paths',
  ).argParser(collectCsv);
}

/** The patterns to ignore: `--ignore-paths` (else Flux's defaults), then `--add-ignore-paths`. */
export function ignorePathsFrom(flags: IgnorePathsFlags): string[] {
  return [...(flags.ignorePaths ?? DEFAULT_IGNORE_PATHS), ...(flags.addIgnorePaths ?? [])];
}
