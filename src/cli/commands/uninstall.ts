import type { Command } from 'commander';

/** Registers `flux-oci uninstall`. Not implemented yet. */
export function register(_program: Command): void {}
