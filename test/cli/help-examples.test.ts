import type { Command } from 'commander';
import { buildProgram, selectCommands } from '../../src/cli/main.js';

/** The commands that run something (no sub-commands), with their full words. */
function leaves(command: Command, words: string[] = []): { words: string[]; command: Command }[] {
  return command.commands.flatMap((sub) => {
    const path = [...words, sub.name()];
    return sub.commands.length > 0 ? leaves(sub, path) : [{ words: path, command: sub }];
  });
}

/**
 * Every command, each from a program built for its words alone: main.ts loads the command
 * modules on demand, one at a time here as on a real command line.
 */
async function allCommands(): Promise<{ words: string[]; command: Command }[]> {
  const found: { words: string[]; command: Command }[] = [];
  for (const { words } of selectCommands(['node', 'flux-oci'])) {
    const program = await buildProgram(['node', 'flux-oci', ...words]);
    found.push(...leaves(program).filter((leaf) => leaf.words.join(' ') === words.join(' ')));
  }
  return found;
}

function helpOf(command: Command): string {
  let out = '';
  command.configureOutput({ writeOut: (text) => (out += text) });
  command.outputHelp();
  return out;
}

describe('every command has an Examples block in --help, as flux2 has', () => {
  it('lists the commands', async () => {
    const commands = (await allCommands()).map((leaf) => leaf.words.join(' '));
    expect(commands).toEqual(expect.arrayContaining(['push artifact', 'bootstrap oci', 'upgrade']));
    expect(commands.length).toBeGreaterThanOrEqual(14);
  });

  it('each example runs the command itself, with flags it has', async () => {
    for (const { words, command } of await allCommands()) {
      const help = helpOf(command);
      const block = /\nExamples:\n([\s\S]*)$/.exec(help)?.[1];
      const name = `flux-oci ${words.join(' ')}`;
      expect({ name, hasExamples: block !== undefined }).toEqual({ name, hasExamples: true });
      // One example: a `# what` line, then the command line and its `\` continuations.
      const examples = block!.trim().split(/\n\s*\n/);
      expect(examples.length).toBeGreaterThan(0);
      for (const example of examples) {
        const [comment, ...lines] = example.split('\n').map((line) => line.trim());
        expect({ name, comment }).toEqual({ name, comment: expect.stringMatching(/^# \S/) });
        const commandLine = lines.join(' ');
        expect({ name, commandLine }).toEqual({
          name,
          commandLine: expect.stringMatching(new RegExp(`(^|\\| |^[A-Z_]+=\\S+ )${name}( |$)`)),
        });
        const known = new Set(command.options.flatMap((o) => [o.long, o.short]));
        // Flags of the shell around it ($(git ...), quoted values) are not the command's.
        const own = commandLine.replace(/\$\([^)]*\)/g, '').replace(/"[^"]*"/g, '""');
        for (const [flag] of own.matchAll(/(?<=\s)--?[a-z][\w-]*/g)) {
          expect({ name, flag, known: known.has(flag) }).toEqual({ name, flag, known: true });
        }
      }
    }
  });
});
