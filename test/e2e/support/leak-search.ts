// Where a password must never be: any file of a cdktf project (synthesized JSON, state,
// plans), any output of cdktf or the engine, any process's arguments while they ran.
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';

/**
 * The forms a basic-auth password can leak in: itself, base64, and base64 of
 * `<user>:<password>` for every user name given (a password sent as another user too).
 */
export function passwordForms(
  passwords: readonly string[],
  usernames: readonly string[],
): string[] {
  return passwords.flatMap((password) => [
    password,
    Buffer.from(password).toString('base64'),
    ...usernames.map((username) => Buffer.from(`${username}:${password}`).toString('base64')),
  ]);
}

/** Every file under `dir`, but the engines' provider binaries (.terraform). */
export function projectFiles(dir: string): string[] {
  const files: string[] = [];
  const walk = (at: string) => {
    for (const name of readdirSync(at)) {
      const path = join(at, name);
      if (name === '.terraform') continue;
      if (statSync(path).isDirectory()) walk(path);
      else files.push(path);
    }
  };
  walk(dir);
  return files;
}

/** Collects every process's arguments (from /proc) while promises run. */
export class ArgvSampler {
  /** Every command line seen, arguments joined by spaces. */
  readonly seen = new Set<string>();

  /** Samples every 100 ms while `during` runs. */
  async during<T>(during: Promise<T>): Promise<T> {
    let done = false;
    const sampling = (async () => {
      while (!done) {
        for (const pid of readdirSync('/proc').filter((p) => /^\d+$/.test(p))) {
          try {
            this.seen.add(readFileSync(`/proc/${pid}/cmdline`, 'utf8').replace(/\0/g, ' '));
          } catch {
            // the process ended meanwhile
          }
        }
        await new Promise((r) => setTimeout(r, 100));
      }
    })();
    try {
      return await during;
    } finally {
      done = true;
      await sampling;
    }
  }
}

/**
 * Asserts that no form is in any file under `workDir` (which must hold at least
 * `minStates` state files, so an empty search cannot pass), in `outputs`, or in the
 * sampled arguments.
 */
export function expectNoLeak(
  forms: readonly string[],
  where: { workDir: string; minStates: number; outputs: readonly string[]; argv?: ArgvSampler },
): void {
  const leaks = (text: string) => forms.filter((f) => text.includes(f));
  const files = projectFiles(where.workDir);
  expect(files.filter((f) => f.endsWith('.tfstate')).length).toBeGreaterThanOrEqual(
    where.minStates,
  );
  for (const file of files)
    expect({ file, leaked: leaks(readFileSync(file, 'utf8')) }).toEqual({ file, leaked: [] });
  expect({ output: leaks(where.outputs.join('\n')) }).toEqual({ output: [] });
  if (where.argv) {
    expect(where.argv.seen.size).toBeGreaterThan(10);
    expect({ argv: [...where.argv.seen].filter((a) => leaks(a).length) }).toEqual({ argv: [] });
  }
}
