export { FluxBootstrapOci, type FluxBootstrapOciProps } from './flux-bootstrap-oci.js';
