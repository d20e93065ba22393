import type { TarReadEntry } from './tar-reader.js';

/** How one path differs between two archives. */
export interface TarEntryDifference {
  /** The path, without a leading `./` or trailing `/`. */
  readonly name: string;
  /** Present in only one archive, or present in both with another kind, mode or content. */
  readonly change: 'only-local' | 'only-remote' | 'kind' | 'mode' | 'content';
}

/**
 * Compares two archives entry by entry (for `diff artifact`: a layer compressed by another
 * deflate has another digest even when its files are the same). Returns the differences
 * sorted by name; an empty list means the same paths, kinds, permission bits and content.
 */
export function diffTarEntries(
  local: readonly TarReadEntry[],
  remote: readonly TarReadEntry[],
): TarEntryDifference[] {
  const localByName = byName(local);
  const remoteByName = byName(remote);
  const names = [...new Set([...localByName.keys(), ...remoteByName.keys()])].sort((a, b) =>
    Buffer.compare(Buffer.from(a), Buffer.from(b)),
  );
  const differences: TarEntryDifference[] = [];
  for (const name of names) {
    const ours = localByName.get(name);
    const theirs = remoteByName.get(name);
    const change = !theirs
      ? 'only-local'
      : !ours
        ? 'only-remote'
        : ours.kind !== theirs.kind
          ? 'kind'
          : ours.mode !== theirs.mode
            ? 'mode'
            : !Buffer.from(ours.content).equals(Buffer.from(theirs.content)) ||
                ours.linkname !== theirs.linkname
              ? 'content'
              : undefined;
    if (change) differences.push({ name, change });
  }
  return differences;
}

/** The last entry of each normalised name wins, as when extracting. */
function byName(entries: readonly TarReadEntry[]): Map<string, TarReadEntry> {
  const map = new Map<string, TarReadEntry>();
  for (const entry of entries) {
    const name = entry.name.replace(/^(\.\/)+/, '').replace(/\/+$/, '') || '.';
    map.set(name, entry);
  }
  return map;
}
