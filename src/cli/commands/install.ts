import type { Command } from 'commander';

/** Registers `flux-oci install`. Not implemented yet. */
export function register(_program: Command): void {}
