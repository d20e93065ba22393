/**
 * Sets V8 flags in the running process (`node:v8`, loaded on first use: a process that never
 * sets one never loads it). False where they cannot be set (a Node that freezes V8's flags):
 * every caller tunes speed or memory only, so it then keeps V8's own behaviour.
 */
export function setV8Flags(flags: string): boolean {
  try {
    process.getBuiltinModule('node:v8').setFlagsFromString(flags);
    return true;
  } catch {
    return false;
  }
}
