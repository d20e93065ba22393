import { pathMatch } from './path-match.js';

/**
 * Flux's default `--ignore-paths` for build, push and diff (`sourceignore.ExcludeVCS` +
 * `ExcludeExt`). Giving ignore paths replaces this list.
 */
export const DEFAULT_IGNORE_PATHS: readonly string[] = [
  '.git/',
  '.gitignore',
  '.gitmodules',
  '.gitattributes',
  '*.jpg',
  '*.jpeg',
  '*.gif',
  '*.png',
  '*.wmv',
  '*.flv',
  '*.tar.gz',
  '*.zip',
];

/** One parsed gitignore-style line (fluxcd/pkg/sourceignore/gitignore semantics). */
interface IgnorePattern {
  /** `/`-separated parts; a leading `/` leaves an empty first part (anchors the pattern). */
  readonly parts: readonly string[];
  /** `!pattern`: re-includes what earlier patterns excluded. */
  readonly negated: boolean;
  /** `pattern/`: matches directories (and what lies below them) only. */
  readonly directoryOnly: boolean;
  /** Contains a `/`: matched part by part from the root instead of against any component. */
  readonly anchored: boolean;
}

/**
 * Decides which paths of a tree are left out of an artifact. Paths are relative to the
 * tree's root, `/`-separated; the root itself is never ignored. The last matching pattern
 * wins, and directories are not pruned: a negated pattern can bring back a file under an
 * ignored directory.
 */
export class IgnoreMatcher {
  private readonly patterns: readonly IgnorePattern[];

  /** `ignorePaths` as given to `--ignore-paths`; each may hold several lines. */
  constructor(ignorePaths: readonly string[]) {
    this.patterns = ignorePaths
      .join('\n')
      .split('\n')
      .map((line) => line.replace(/\r$/, ''))
      .filter((line) => !line.startsWith('#') && line.trim() !== '')
      .map(parsePattern);
  }

  ignores(relativePath: string, isDirectory: boolean): boolean {
    if (relativePath === '.' || relativePath === '') return false;
    const path = relativePath.split('/');
    for (let i = this.patterns.length - 1; i >= 0; i--) {
      const pattern = this.patterns[i]!;
      if (matches(pattern, path, isDirectory)) return !pattern.negated;
    }
    return false;
  }
}

function parsePattern(line: string): IgnorePattern {
  let text = line;
  const negated = text.startsWith('!');
  if (negated) text = text.slice(1);
  // Trailing spaces are dropped unless the last one is escaped.
  if (!text.endsWith('\\ ')) text = text.replace(/ +$/, '');
  const directoryOnly = text.endsWith('/');
  if (directoryOnly) text = text.slice(0, -1);
  return { parts: text.split('/'), negated, directoryOnly, anchored: text.includes('/') };
}

function matches(pattern: IgnorePattern, path: readonly string[], isDirectory: boolean): boolean {
  return pattern.anchored
    ? matchAnchored(pattern, path, isDirectory)
    : matchAnyComponent(pattern, path, isDirectory);
}

/** A pattern without `/` matches when any component matches (so it covers what lies below). */
function matchAnyComponent(
  pattern: IgnorePattern,
  path: readonly string[],
  isDirectory: boolean,
): boolean {
  for (let i = 0; i < path.length; i++) {
    const result = pathMatch(pattern.parts[0]!, path[i]!);
    if (result === 'bad-pattern') return false;
    if (result === 'no-match') continue;
    // `name/` on a file named `name` at the end of the path is not a match.
    return !(pattern.directoryOnly && !isDirectory && i === path.length - 1);
  }
  return false;
}

/**
 * A pattern with `/` matches from the root part by part; `**` spans zero or more
 * components; a match of a leading part of the path covers everything below it.
 */
function matchAnchored(
  pattern: IgnorePattern,
  fullPath: readonly string[],
  isDirectory: boolean,
): boolean {
  let path = fullPath;
  let matched = false;
  let canTraverse = false;
  const parts = pattern.parts;
  for (let i = 0; i < parts.length; i++) {
    const part = parts[i]!;
    if (part === '') {
      canTraverse = false;
      continue;
    }
    if (part === '**') {
      if (i === parts.length - 1) break;
      canTraverse = true;
      continue;
    }
    if (part.includes('**')) return false;
    if (path.length === 0) return false;
    if (canTraverse) {
      canTraverse = false;
      while (path.length > 0) {
        const component = path[0]!;
        path = path.slice(1);
        const result = pathMatch(part, component);
        if (result === 'bad-pattern') return false;
        if (result === 'match') {
          matched = true;
          break;
        }
        if (path.length === 0) matched = false;
      }
    } else {
      if (pathMatch(part, path[0]!) !== 'match') return false;
      matched = true;
      path = path.slice(1);
    }
  }
  if (matched && pattern.directoryOnly && !isDirectory && path.length === 0) return false;
  return matched;
}
