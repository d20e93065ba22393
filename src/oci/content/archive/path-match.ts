/**
 * Go's `path/filepath.Match` on Unix, which Flux's ignore patterns use to compare one path
 * component: `*` any run of characters, `?` one character, `[a-z]` / `[^a-z]` classes, `\`
 * escapes. A malformed pattern (`[`, trailing `\`) is an error, which the ignore matcher
 * treats as "no match", as Flux does.
 */
export type PathMatchResult = 'match' | 'no-match' | 'bad-pattern';

/**
 * Each pattern seen, as a RegExp when it is simple (see below), else null: a walk matches the
 * same dozen patterns against every path, and V8's RegExp engine does that ~10x faster than
 * the character loop below. Bounded, since patterns come from flags and files.
 */
const simplePatterns = new Map<string, RegExp | null>();
const MAX_CACHED_PATTERNS = 1000;

export function pathMatch(pattern: string, name: string): PathMatchResult {
  let simple = simplePatterns.get(pattern);
  if (simple === undefined) {
    simple = simplePatternRegExp(pattern);
    if (simplePatterns.size >= MAX_CACHED_PATTERNS) simplePatterns.clear();
    simplePatterns.set(pattern, simple);
  }
  if (simple !== null) return simple.test(name) ? 'match' : 'no-match';
  return goPathMatch(pattern, name);
}

/**
 * A pattern of literals, `?` (one non-`/` character) and at most one run of `*` (any run of
 * them) as a RegExp; null for the others, which the full matcher takes. Never two runs of
 * `*`: a backtracking RegExp tries every way to split a name between them (`*a*a*a*a*b`
 * against 255 `a`s: 37 s), where Go's algorithm commits to the first fit of each piece.
 */
function simplePatternRegExp(pattern: string): RegExp | null {
  if (pattern.includes('[') || pattern.includes('\\') || /\*[^*]+\*/.test(pattern)) return null;
  const source = Array.from(pattern, (c) =>
    c === '*' ? '[^/]*' : c === '?' ? '[^/]' : c.replace(/[$()*+./?[\\\]^{|}]/, '\\$&'),
  ).join('');
  // `u`: `?` and `[^/]` take one code point, as Go takes one rune.
  return new RegExp(`^${source}$`, 'u');
}

/** Go's algorithm, character by character (classes, escapes and malformed patterns). */
function goPathMatch(pattern: string, name: string): PathMatchResult {
  let rest = Array.from(pattern);
  let text = Array.from(name);
  nextChunk: while (rest.length > 0) {
    const { star, chunk, after } = scanChunk(rest);
    rest = after;
    if (star && chunk.length === 0) return text.includes('/') ? 'no-match' : 'match';
    const here = matchChunk(chunk, text);
    if (here.ok && (here.rest.length === 0 || rest.length > 0)) {
      text = here.rest;
      continue;
    }
    if (here.bad) return 'bad-pattern';
    if (star) {
      // Let the star swallow one more character at a time (never a separator).
      for (let i = 0; i < text.length && text[i] !== '/'; i++) {
        const later = matchChunk(chunk, text.slice(i + 1));
        if (later.ok) {
          if (rest.length === 0 && later.rest.length > 0) continue;
          text = later.rest;
          continue nextChunk;
        }
        if (later.bad) return 'bad-pattern';
      }
    }
    return 'no-match';
  }
  return text.length === 0 ? 'match' : 'no-match';
}

/** Splits off leading stars and the literal/class run up to the next unbracketed star. */
function scanChunk(pattern: string[]): { star: boolean; chunk: string[]; after: string[] } {
  let start = 0;
  while (start < pattern.length && pattern[start] === '*') start++;
  const star = start > 0;
  let inRange = false;
  for (let i = start; i < pattern.length; i++) {
    const c = pattern[i];
    if (c === '\\') {
      if (i + 1 < pattern.length) i++;
    } else if (c === '[') inRange = true;
    else if (c === ']') inRange = false;
    else if (c === '*' && !inRange) {
      return { star, chunk: pattern.slice(start, i), after: pattern.slice(i) };
    }
  }
  return { star, chunk: pattern.slice(start), after: [] };
}

interface ChunkResult {
  readonly ok: boolean;
  readonly bad: boolean;
  readonly rest: string[];
}

/** Matches one chunk against the start of `text`; reads the whole chunk to detect bad syntax. */
function matchChunk(chunkIn: string[], textIn: string[]): ChunkResult {
  let chunk = chunkIn;
  let text = textIn;
  let failed = false;
  const bad: ChunkResult = { ok: false, bad: true, rest: [] };
  while (chunk.length > 0) {
    failed = failed || text.length === 0;
    const c = chunk[0];
    if (c === '[') {
      let r = '';
      if (!failed) {
        r = text[0]!;
        text = text.slice(1);
      }
      chunk = chunk.slice(1);
      let negated = false;
      if (chunk[0] === '^') {
        negated = true;
        chunk = chunk.slice(1);
      }
      let matched = false;
      let ranges = 0;
      for (;;) {
        if (chunk.length > 0 && chunk[0] === ']' && ranges > 0) {
          chunk = chunk.slice(1);
          break;
        }
        const lo = classChar(chunk);
        if (!lo) return bad;
        chunk = lo.rest;
        let hi = lo;
        if (chunk[0] === '-') {
          const upper = classChar(chunk.slice(1));
          if (!upper) return bad;
          hi = upper;
          chunk = upper.rest;
        }
        const code = r === '' ? -1 : r.codePointAt(0)!;
        matched = matched || (lo.code <= code && code <= hi.code);
        ranges++;
      }
      failed = failed || matched === negated;
    } else if (c === '?') {
      if (!failed) {
        failed = text[0] === '/';
        text = text.slice(1);
      }
      chunk = chunk.slice(1);
    } else {
      if (c === '\\') {
        chunk = chunk.slice(1);
        if (chunk.length === 0) return bad;
      }
      if (!failed) {
        failed = chunk[0] !== text[0];
        text = text.slice(1);
      }
      chunk = chunk.slice(1);
    }
  }
  return failed ? { ok: false, bad: false, rest: [] } : { ok: true, bad: false, rest: text };
}

/** One character of a class (Go's getEsc); undefined when the class is malformed. */
function classChar(chunk: string[]): { code: number; rest: string[] } | undefined {
  if (chunk.length === 0 || chunk[0] === '-' || chunk[0] === ']') return undefined;
  let rest = chunk;
  if (rest[0] === '\\') {
    rest = rest.slice(1);
    if (rest.length === 0) return undefined;
  }
  const code = rest[0]!.codePointAt(0)!;
  rest = rest.slice(1);
  if (rest.length === 0) return undefined;
  return { code, rest };
}
