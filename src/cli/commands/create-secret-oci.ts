import type { Command } from 'commander';

/** Registers `flux-oci create secret oci`. Not implemented yet. */
export function register(_program: Command): void {}
