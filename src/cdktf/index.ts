export {
  FluxBootstrapOci,
  type FluxBootstrapOciProps,
  type FluxBootstrapOciRendering,
  type FluxBootstrapOciRenderingProps,
} from './flux-bootstrap-oci.js';
export type { ClusterConnection } from './cluster-connection.js';
