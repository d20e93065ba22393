import type { Command } from 'commander';

/** Registers `flux-oci tag artifact`. Not implemented yet. */
export function register(_program: Command): void {}
