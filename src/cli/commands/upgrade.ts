import type { Command } from 'commander';

/** Registers `flux-oci upgrade`. Not implemented yet. */
export function register(_program: Command): void {}
