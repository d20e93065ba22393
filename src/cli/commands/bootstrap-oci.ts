import type { Command } from 'commander';

/** Registers `flux-oci bootstrap oci`. Not implemented yet. */
export function register(_program: Command): void {}
