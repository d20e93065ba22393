/**
 * Go's `compress/gzip` header: magic, deflate, no flags, mtime 0, XFL 0 (default level),
 * OS 255 (unknown). Flux writes exactly these ten bytes.
 */
export const GZIP_HEADER = Uint8Array.of(0x1f, 0x8b, 0x08, 0x00, 0, 0, 0, 0, 0x00, 0xff);
