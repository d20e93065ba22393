/**
 * How the registry is logged in to: `generic` with credentials (or anonymously), or a cloud's
 * workload identity (`aws`, `azure`, `gcp`), as Flux's `--provider` names them.
 */
export type OciProvider = 'generic' | 'aws' | 'azure' | 'gcp';
export const OCI_PROVIDERS: readonly OciProvider[] = ['generic', 'aws', 'azure', 'gcp'];
