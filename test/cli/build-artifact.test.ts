import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { gunzipSync } from 'node:zlib';
import { Command } from 'commander';
import { registerBuildArtifact } from '../../src/cli/commands/build-artifact.js';
import { splitCsvRecord } from '../../src/cli/artifact-flags.js';
import { UserError } from '../../src/errors.js';
import { readTar } from '../../src/oci/content/archive/tar-reader.js';
import { makeTree } from '../oci/content/fixture-tree.js';
import { ORACLE_TIMEOUT_MS, oracleBinary, runOracle } from '../oci/content/oracle.js';

let work: string;
let stderr: string;
const originalWrite = process.stderr.write.bind(process.stderr);
const NODE_WARNING = /^\((node:\d+\) \w*Warning: |Use `node --trace-warnings)/;

beforeAll(() => oracleBinary(), ORACLE_TIMEOUT_MS);
beforeEach(() => {
  work = mkdtempSync(join(tmpdir(), 'build-artifact-'));
  stderr = '';
  process.stderr.write = ((chunk: string) => {
    // Node's own warning (jest runs under --experimental-vm-modules, and the first dynamic
    // import() of a worker warns) is the test runner's, not the command's output.
    if (!NODE_WARNING.test(chunk)) stderr += chunk;
    return true;
  }) as typeof process.stderr.write;
});
afterEach(() => {
  process.stderr.write = originalWrite;
  rmSync(work, { recursive: true, force: true });
});

// Only this command is registered, so the test does not depend on the others.
async function run(...args: string[]): Promise<number> {
  const program = new Command('flux-oci').exitOverride();
  registerBuildArtifact(program);
  await program.parseAsync(['node', 'flux-oci', ...args]);
  return 0;
}

describe('flux-oci build artifact', () => {
  test('writes the layer with mode 0640 and Flux-style lines; the tar is Flux 2.9’s', async () => {
    const tree = makeTree([
      { file: 'deploy/app.yaml', content: 'kind: A\n' },
      { file: 'logo.png' },
    ]);
    const output = join(work, 'artifact.tgz');
    try {
      expect(await run('build', 'artifact', '--path', tree, '--output', output)).toBe(0);
      expect(statSync(output).mode & 0o777).toBe(0o640);
      expect(stderr).toBe(`► building artifact from ${tree}\n✔ artifact created at ${output}\n`);
      expect(gunzipSync(readFileSync(output)).equals(runOracle(tree).tar)).toBe(true);
    } finally {
      rmSync(tree, { recursive: true, force: true });
    }
  });

  test('--ignore-paths replaces the defaults; --add-ignore-paths appends', async () => {
    const tree = makeTree([{ file: 'a.yaml' }, { file: 'b.png' }, { file: 'c.txt' }]);
    const output = join(work, 'out.tgz');
    const listing = () => readTar(gunzipSync(readFileSync(output))).map((e) => e.name);
    try {
      await run('build', 'artifact', '-p', tree, '-o', output, '--ignore-paths', '*.yaml');
      expect(listing()).toEqual(['.', 'b.png', 'c.txt']);
      await run(
        'build',
        'artifact',
        '-p',
        tree,
        '-o',
        output,
        '--ignore-paths=',
        '--add-ignore-paths',
        'c.txt',
      );
      expect(listing()).toEqual(['.', 'a.yaml', 'b.png']);
    } finally {
      rmSync(tree, { recursive: true, force: true });
    }
  });

  test('a missing path is a user error naming the path', async () => {
    const attempt = run(
      'build',
      'artifact',
      '--path',
      join(work, 'nope'),
      '-o',
      join(work, 'x.tgz'),
    );
    await expect(attempt).rejects.toThrow(UserError);
    await expect(run('build', 'artifact', '--path', join(work, 'nope'))).rejects.toThrow(
      `invalid path '${join(work, 'nope')}', must point to an existing directory or file`,
    );
  });

  test(
    'reads stdin with --path -',
    () => {
      const output = join(work, 'stdin.tgz');

      execFileSync(
        resolve('node_modules/.bin/tsx'),
        [
          resolve('test/cli/run-build-artifact.ts'),
          'build',
          'artifact',
          '--path',
          '-',
          '--output',
          output,
        ],
        { input: 'kind: ConfigMap\n\n', stdio: ['pipe', 'ignore', 'inherit'] },
      );
      const [root, file] = readTar(gunzipSync(readFileSync(output)));
      expect(root!.name).toBe('.');
      expect(file!.name).toMatch(/^\d+\.yaml$/);
      expect(Buffer.from(file!.content).toString()).toBe('kind: ConfigMap');
    },
    ORACLE_TIMEOUT_MS,
  );
});

describe('splitCsvRecord (pflag string slices)', () => {
  test.each([
    ['', []],
    ['a', ['a']],
    ['a,b', ['a', 'b']],
    ['"a,b",c', ['a,b', 'c']],
    ['"say ""hi""",x', ['say "hi"', 'x']],
    [' a , b', [' a ', ' b']],
  ])('%p', (value, expected) => {
    expect(splitCsvRecord(value)).toEqual(expected);
  });
});
