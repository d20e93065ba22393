import { IgnoreMatcher } from '../../../src/oci/content/archive/ignore.js';
import { pathMatch } from '../../../src/oci/content/archive/path-match.js';
import { ORACLE_TIMEOUT_MS, askOracle, oracleBinary } from './oracle.js';

// Every pattern against every path (as file and as directory), and every glob against every
// name, decided by fluxcd/pkg/sourceignore v0.18.0 and Go's filepath.Match, then by ours.

const PATTERNS = [
  'a',
  'b/',
  '/a',
  '/a/',
  'a/b',
  'a/b/',
  '/a/b',
  'a/*',
  'a/*/c',
  '*/b',
  '*.yaml',
  '!*.yaml',
  '**',
  '**/',
  '**/b',
  '**/b/',
  'a/**',
  'a/**/',
  'a/**/c',
  'a/**/b/**/c',
  '**/a/**',
  'a/x**/c',
  '**x',
  'a//b',
  '//a',
  'a/',
  '[ab]',
  '[^a]',
  '[!a]',
  '[a-c]/*',
  '?',
  'a?',
  '\\a',
  'a\\',
  '[',
  'a[',
  '[]a]',
  '[\\]]',
  'c ',
  'c\\ ',
  ' c',
  '!',
  '#a',
  '\\#a',
  'é*',
  '*é',
  '日本/*',
  '.git/',
  '.*',
  '*.tar.gz',
  'x/y/z/',
  '/x/**/z',
];

const PATHS = [
  'a',
  'b',
  'c',
  'a/b',
  'a/c',
  'a/b/c',
  'a/x/c',
  'a/x/y/c',
  'a/b/x/c',
  'b/a',
  'b/b',
  'x/a/b',
  'x/b',
  'x/y/z',
  'x/y/z/w',
  'x/q/z',
  'f.yaml',
  'a/f.yaml',
  'f.yaml/a',
  'c ',
  ' c',
  '#a',
  '!a',
  'é',
  'éé',
  'aé',
  '日本/a',
  '.git',
  '.git/config',
  'x/.git/HEAD',
  '.hidden',
  'a.tar.gz',
  'ab',
  'abc',
  ']',
  '[',
  'a\\',
  '\\a',
  'x',
  'a/b/c/d/e',
];

const GLOB_PATTERNS = [
  '*',
  '**',
  'a*',
  '*a',
  'a*b',
  'a*b*c',
  '*a*',
  '?',
  '??',
  'a?c',
  '[abc]',
  '[^abc]',
  '[a-c]',
  '[^a-c]',
  '[a-c]x',
  '[\\]]',
  '[\\-]',
  '[x\\-]',
  '[]a]',
  '[-]',
  '[x-]',
  '[a-]',
  '[',
  '[^',
  'a[',
  '\\',
  'a\\',
  '\\*',
  'a\\*b',
  '\\?',
  '[é]',
  '[^é]',
  'é?',
  '?é',
  '[α-ω]',
  '*[a-ζ]',
  '[[]',
  '[*]',
  '*]',
  'a[b-',
  '*\\',
  '[\\',
  '[a-\\]]',
  'ab[c',
  '*[',
  // Literal characters a RegExp gives meaning to (pathMatch compiles simple patterns to one).
  'a.c',
  '*.tar.gz',
  'a+',
  '(a|b)',
  '{a}',
  '^a$',
  '.',
  '*$',
  // Many stars against long names: a backtracking matcher takes seconds to hours here.
  '*a*a*a*a*a*a*a*b',
  '*-*-*-*-*.yaml',
  '*?*?*?*?*x',
];

const GLOB_NAMES = [
  '',
  'a',
  'b',
  'abc',
  'abbc',
  'ac',
  'aXc',
  'bac',
  ']',
  '-',
  'x',
  '*',
  '?',
  '[',
  '\\',
  'é',
  'αβ',
  'a*b',
  'ab',
  'a]',
  'ζ',
  'A',
  'a.c',
  'x.tar.gz',
  'xtarxgz',
  'a+',
  'aa',
  '(a|b)',
  '{a}',
  '^a$',
  '.',
  'a$',
  'a'.repeat(255),
  `${'-'.repeat(100)}.yml`,
  `${'a-'.repeat(50)}.yaml`,
];

beforeAll(() => oracleBinary(), ORACLE_TIMEOUT_MS);

describe('ignore decisions equal fluxcd/pkg/sourceignore', () => {
  const paths = PATHS.flatMap((path) => [
    { path, dir: false },
    { path, dir: true },
  ]);

  test.each(PATTERNS)('pattern %p', (pattern) => {
    const flux = askOracle({ patterns: [pattern], paths, globs: [] }).ignored;
    const matcher = new IgnoreMatcher([pattern]);
    const ours = paths.map(({ path, dir }) => matcher.ignores(path, dir));
    const differences = paths.filter((_, i) => flux[i] !== ours[i]);
    expect(differences).toEqual([]);
  });

  test('pattern lists: last match wins, negation re-includes', () => {
    const lists = [
      ['*.yaml', '!f.yaml'],
      ['!f.yaml', '*.yaml'],
      ['a/', '!a/b'],
      ['a/**', '!a/b/**', 'a/b/c'],
      ['/x', '!x/y', 'z'],
      ['# comment', '', '   ', 'a'],
    ];
    for (const patterns of lists) {
      const flux = askOracle({ patterns, paths, globs: [] }).ignored;
      const matcher = new IgnoreMatcher(patterns);
      const differences = paths.filter((p, i) => flux[i] !== matcher.ignores(p.path, p.dir));
      expect({ patterns, differences }).toEqual({ patterns, differences: [] });
    }
  });
});

describe('pathMatch equals Go filepath.Match', () => {
  test('every pattern against every name', () => {
    const globs = GLOB_PATTERNS.flatMap((pattern) =>
      GLOB_NAMES.map((name) => [pattern, name] as const),
    );
    const go = askOracle({ patterns: [], paths: [], globs }).globs;
    const differences = globs
      .map(([pattern, name], i) => ({ pattern, name, go: go[i], ours: pathMatch(pattern, name) }))
      .filter((d) => d.go !== d.ours);
    expect(differences).toEqual([]);
    expect(globs.length).toBeGreaterThan(900);
  });
});
