import type { TransferProgress } from '../oci/registry/index.js';
import { escapeControl } from '../terminal-text.js';

export interface ProgressOptions {
  /** Where progress goes. @default process.stderr */
  readonly stream?: NodeJS.WriteStream;
  /** Blobs smaller than this move without progress lines. @default 1 MiB */
  readonly minBytes?: number;
}

/**
 * A progress callback for the registry client: on a terminal one line per blob, redrawn
 * at most ten times a second; elsewhere (CI logs) a line at each quarter.
 */
export function progressReporter(
  options: ProgressOptions = {},
): (progress: TransferProgress) => void {
  const stream = options.stream ?? process.stderr;
  const minBytes = options.minBytes ?? 1024 * 1024;
  const lastDrawn = new Map<string, number>();
  return (progress) => {
    if (progress.total < minBytes) return;
    const key = `${progress.direction} ${progress.digest}`;
    const done = progress.bytes >= progress.total;
    const verb = progress.direction === 'upload' ? 'uploading' : 'downloading';
    const line = `${verb} ${escapeControl(progress.digest.slice(0, 19))} ${mib(progress.bytes)} / ${mib(progress.total)} MiB (${Math.floor((100 * progress.bytes) / progress.total)}%)`;
    if (stream.isTTY) {
      const now = Date.now();
      if (!done && now - (lastDrawn.get(key) ?? 0) < 100) return;
      lastDrawn.set(key, now);
      stream.write(`\r\x1b[2K◎ ${line}${done ? '\n' : ''}`);
      return;
    }
    const quarter = Math.floor((4 * progress.bytes) / progress.total);
    if ((lastDrawn.get(key) ?? -1) >= quarter) return;
    lastDrawn.set(key, quarter);
    stream.write(`◎ ${line}\n`);
  };
}

function mib(bytes: number): string {
  return (bytes / (1024 * 1024)).toFixed(1);
}
