import type { Command } from 'commander';

/** Registers `flux-oci list artifacts`. Not implemented yet. */
export function register(_program: Command): void {}
