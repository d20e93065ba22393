export { FluxBootstrapOci, type FluxBootstrapOciProps } from './flux-bootstrap-oci.js';
export { FluxInstallStack } from './flux-install-stack.js';
export { FluxSyncStack } from './flux-sync-stack.js';
