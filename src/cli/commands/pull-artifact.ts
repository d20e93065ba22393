import type { Command } from 'commander';

/** Registers `flux-oci pull artifact`. Not implemented yet. */
export function register(_program: Command): void {}
