/** One PEM block: its type (`PRIVATE KEY`, `PUBLIC KEY`, ...) and its decoded bytes. */
export interface PemBlock {
  readonly type: string;
  readonly bytes: Buffer;
}

const BLOCK = /-----BEGIN ([A-Z0-9 ]+)-----\r?\n([\s\S]*?)\r?\n?-----END \1-----/;

/** The first PEM block of `text` (as Go's pem.Decode reads it), or undefined when there is none. */
export function firstPemBlock(text: string): PemBlock | undefined {
  const match = BLOCK.exec(text);
  if (!match) return undefined;
  // Headers (`Proc-Type: ...`) would precede the base64; cosign never writes them.
  const body = match[2].replace(/\s+/g, '');
  if (!/^[A-Za-z0-9+/]*={0,2}$/.test(body)) return undefined;
  return { type: match[1], bytes: Buffer.from(body, 'base64') };
}
