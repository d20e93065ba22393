/**
 * Go's `compress/gzip` header: magic, deflate, no flags, mtime 0, XFL 0 (default level),
 * OS 255 (unknown). Flux writes exactly these ten bytes.
 */
export const GZIP_HEADER = Uint8Array.of(0x1f, 0x8b, 0x08, 0x00, 0, 0, 0, 0, 0x00, 0xff);

/** Whether `head` starts with gzip's magic bytes (1f 8b). */
export function isGzip(head: Uint8Array): boolean {
  return head.length >= 2 && head[0] === 0x1f && head[1] === 0x8b;
}
