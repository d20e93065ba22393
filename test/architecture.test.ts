import { execFile } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { promisify } from 'node:util';

const run = promisify(execFile);
const CHECK = join(import.meta.dirname, '..', 'scripts', 'check-architecture.mjs');

/** Runs the check on `root`; its exit code and the lines it printed. */
async function check(root?: string): Promise<{ code: number; lines: string[] }> {
  try {
    await run('node', root ? [CHECK, root] : [CHECK]);
    return { code: 0, lines: [] };
  } catch (err) {
    const { code, stderr } = err as { code: number; stderr: string };
    return { code, lines: stderr.trim().split('\n') };
  }
}

describe('scripts/check-architecture.mjs (run by npm run lint)', () => {
  it('passes on this project', async () => {
    expect(await check()).toEqual({ code: 0, lines: [] });
  });

  it('reports an upward import, a cycle, a name exported twice and a crowded folder', async () => {
    const root = mkdtempSync(join(tmpdir(), 'flux-oci-architecture-'));
    const write = (path: string, text: string) => {
      mkdirSync(dirname(join(root, path)), { recursive: true });
      writeFileSync(join(root, path), text);
    };
    try {
      write('src/oci/up.ts', "import { flux } from '../flux/a.js';\nexport const up = flux;\n");
      write('src/flux/a.ts', "import { b } from './b.js';\nexport const flux = b;\n");
      write(
        'src/flux/b.ts',
        "import type { flux } from './a.js';\nexport const b = 1 as unknown as typeof flux;\n",
      );
      write('src/kube/one.ts', 'export interface Twice { a: 1 }\n');
      write('src/kube/two.ts', 'export type Twice = 2;\n');
      for (let i = 0; i < 16; i++) write(`src/cli/f${i}.ts`, `export const f${i} = ${i};\n`);
      const { code, lines } = await check(root);
      expect(code).toBe(1);
      expect(lines).toEqual(
        expect.arrayContaining([
          expect.stringMatching(
            /^src\/oci\/up\.ts imports src\/flux\/a\.ts: oci may not import flux/,
          ),
          'import cycle: src/flux/a.ts -> src/flux/b.ts -> src/flux/a.ts',
          expect.stringMatching(
            /^Twice is exported by 2 files: src\/kube\/one\.ts, src\/kube\/two\.ts/,
          ),
          expect.stringMatching(/^src\/cli\/ holds 16 files directly \(at most 15\)/),
        ]),
      );
      expect(lines).toHaveLength(4);
    } finally {
      rmSync(root, { recursive: true, force: true });
    }
  });
});
