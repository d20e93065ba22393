import { DEFAULT_IGNORE_PATHS, IgnoreMatcher } from '../../../src/oci/content/archive/ignore.js';
import { pathMatch } from '../../../src/oci/content/archive/path-match.js';

const file = false;
const dir = true;

function ignored(patterns: string[], path: string, isDirectory = file): boolean {
  return new IgnoreMatcher(patterns).ignores(path, isDirectory);
}

describe('ignore matching (fluxcd/pkg/sourceignore semantics)', () => {
  test('the defaults are Flux build/push defaults', () => {
    const m = new IgnoreMatcher(DEFAULT_IGNORE_PATHS);
    expect(m.ignores('.git', dir)).toBe(true);
    expect(m.ignores('.git/config', file)).toBe(true);
    expect(m.ignores('sub/.git/config', file)).toBe(true);
    expect(m.ignores('a/b/image.png', file)).toBe(true);
    expect(m.ignores('bundle.tar.gz', file)).toBe(true);
    expect(m.ignores('.github/workflows/ci.yaml', file)).toBe(false);
    expect(m.ignores('.sourceignore', file)).toBe(false);
    expect(m.ignores('photo.JPG', file)).toBe(false); // case sensitive
  });

  test('a pattern without a slash matches any component, so everything below too', () => {
    expect(ignored(['tmp'], 'tmp', dir)).toBe(true);
    expect(ignored(['tmp'], 'a/tmp', file)).toBe(true);
    expect(ignored(['tmp'], 'a/tmp/b/c.yaml', file)).toBe(true);
    expect(ignored(['*.yaml'], 'a/b.yaml', file)).toBe(true);
    expect(ignored(['*.yaml'], 'a.yaml.bak', file)).toBe(false);
  });

  test('a pattern with a slash is anchored at the root; a matched prefix covers what is below', () => {
    expect(ignored(['/root.txt'], 'root.txt')).toBe(true);
    expect(ignored(['/root.txt'], 'sub/root.txt')).toBe(false);
    expect(ignored(['a/b'], 'a/b')).toBe(true);
    expect(ignored(['a/b'], 'x/a/b')).toBe(false);
    expect(ignored(['a/b'], 'a/b/c/d.yaml')).toBe(true);
    expect(ignored(['a/*.yaml'], 'a/x.yaml')).toBe(true);
    expect(ignored(['a/*.yaml'], 'a/sub/x.yaml')).toBe(false);
  });

  test('** spans zero or more directories', () => {
    expect(ignored(['**/deep.txt'], 'deep.txt')).toBe(true);
    expect(ignored(['**/deep.txt'], 'a/b/c/deep.txt')).toBe(true);
    expect(ignored(['a/**/b'], 'a/b')).toBe(true);
    expect(ignored(['a/**/b'], 'a/x/y/b')).toBe(true);
    expect(ignored(['a/**/b'], 'a/x/y/c')).toBe(false);
    expect(ignored(['a/**'], 'a/x/y')).toBe(true);
    expect(ignored(['a/**'], 'b/x')).toBe(false);
    expect(ignored(['a/x**/b'], 'a/xy/b')).toBe(false); // `**` inside a part matches nothing
  });

  test('a trailing slash matches directories and what lies below them only', () => {
    expect(ignored(['build/'], 'build', dir)).toBe(true);
    expect(ignored(['build/'], 'build', file)).toBe(false);
    expect(ignored(['build/'], 'build/out.bin', file)).toBe(true);
    expect(ignored(['build/'], 'x/build/out.bin', file)).toBe(true);
    expect(ignored(['/a/build/'], 'a/build', file)).toBe(false);
    expect(ignored(['/a/build/'], 'a/build', dir)).toBe(true);
  });

  test('the last matching pattern wins; ! negates', () => {
    expect(ignored(['*.yaml', '!keep.yaml'], 'keep.yaml')).toBe(false);
    expect(ignored(['*.yaml', '!keep.yaml'], 'drop.yaml')).toBe(true);
    expect(ignored(['!keep.yaml', '*.yaml'], 'keep.yaml')).toBe(true);
    // Directories are not pruned: a file below an ignored directory can come back.
    const m = new IgnoreMatcher(['vendor/', '!vendor/keep.go']);
    expect(m.ignores('vendor', dir)).toBe(true);
    expect(m.ignores('vendor/keep.go', file)).toBe(false);
    expect(m.ignores('vendor/drop.go', file)).toBe(true);
  });

  test('comments, blank lines, trailing spaces and escapes', () => {
    expect(ignored(['# comment'], '# comment')).toBe(false);
    expect(ignored(['\\#hash'], '#hash')).toBe(true);
    expect(ignored(['', '   ', 'x'], 'x')).toBe(true);
    expect(ignored(['trail.txt   '], 'trail.txt')).toBe(true);
    expect(ignored(['space\\ '], 'space ')).toBe(true);
    expect(ignored(['a.txt\r'], 'a.txt')).toBe(true);
    expect(ignored(['one\ntwo'], 'two')).toBe(true);
  });

  test('character classes: ranges, ^ negation, ! is literal', () => {
    expect(ignored(['[ab].txt'], 'a.txt')).toBe(true);
    expect(ignored(['[ab].txt'], 'c.txt')).toBe(false);
    expect(ignored(['[a-c]?.md'], 'bx.md')).toBe(true);
    expect(ignored(['[^x]y.md'], 'xy.md')).toBe(false);
    expect(ignored(['[^x]y.md'], 'zy.md')).toBe(true);
    expect(ignored(['[!x]y.md'], '!y.md')).toBe(true);
    expect(ignored(['[!x]y.md'], 'zy.md')).toBe(false);
  });

  test('the root is never ignored and bad patterns match nothing', () => {
    expect(ignored(['*'], '.', dir)).toBe(false);
    expect(ignored(['*'], 'x', file)).toBe(true);
    expect(ignored(['bad['], 'bad[')).toBe(false);
    expect(ignored(['bad\\'], 'bad\\')).toBe(false);
  });
});

// Expected values checked against Go 1.26 filepath.Match.
describe('pathMatch (Go filepath.Match)', () => {
  test.each([
    ['abc', 'abc', 'match'],
    ['*', 'abc', 'match'],
    ['*c', 'abc', 'match'],
    ['a*', 'a', 'match'],
    ['a*/b', 'abc/b', 'match'],
    ['a*b*c*d*e*/f', 'axbxcxdxe/f', 'match'],
    ['a*b?c*x', 'abxbbxdbxebxczzx', 'match'],
    ['a*b?c*x', 'abxbbxdbxebxczzy', 'no-match'],
    ['ab[c]', 'abc', 'match'],
    ['ab[b-d]', 'abc', 'match'],
    ['ab[e-g]', 'abc', 'no-match'],
    ['ab[^c]', 'abc', 'no-match'],
    ['ab[^e-g]', 'abc', 'match'],
    ['a\\*b', 'a*b', 'match'],
    ['a\\*b', 'ab', 'no-match'],
    ['a?b', 'a☺b', 'match'],
    ['a[^a]b', 'a☺b', 'match'],
    ['[a-ζ]*', 'α', 'match'],
    ['*[a-ζ]', 'A', 'no-match'],
    ['a?b', 'a/b', 'no-match'],
    ['a*b', 'a/b', 'no-match'],
    ['[\\]a]', ']', 'match'],
    ['[\\-]', '-', 'match'],
    ['[x\\-]', 'z', 'no-match'],
    ['[', 'a', 'bad-pattern'],
    ['[^', 'a', 'bad-pattern'],
    ['[^bc', 'a', 'bad-pattern'],
    ['a[', 'a', 'bad-pattern'],
    ['a[', 'ab', 'bad-pattern'],
    ['*x', 'xxx', 'match'],
    ['[]a]', ']', 'bad-pattern'],
    ['[-]', '-', 'bad-pattern'],
    ['[x-]', 'x', 'bad-pattern'],
    ['\\', 'a', 'bad-pattern'],
    ['a*b*c', 'abc', 'match'],
  ] as const)('%p against %p is %p', (pattern, name, expected) => {
    expect(pathMatch(pattern, name)).toBe(expected);
  });
});
