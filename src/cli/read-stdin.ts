import { UserError } from '../errors.js';

/** Reads standard input to the end, without the trailing line break (`--password-stdin`). */
export async function readStdin(what: string): Promise<string> {
  if (process.stdin.isTTY) {
    throw new UserError(`${what} was asked on standard input, but it is a terminal: pipe it in`);
  }
  return (await readStdinBytes()).toString('utf8').replace(/\r?\n$/, '');
}

/** Standard input to its end, as bytes (`--path -`). */
export async function readStdinBytes(): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const chunk of process.stdin) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks);
}
