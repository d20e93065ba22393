// The real-components harness for the end-to-end tests, in one import.
export { startCluster, type Cluster, type ClusterOptions } from './cluster.js';
export { startFlux, fluxCrdFiles, type Flux, type FluxOptions } from './flux.js';
export { prepareTerraform, type TerraformOptions, type TerraformSetup } from './terraform.js';
export { applyFiles, applyObjects, readManifests, type ManifestObject } from './apply.js';
export { pushArtifact, type PushedArtifact } from './push-artifact.js';
export { goTool, repoRoot } from './tools.js';
export { tail } from './process.js';
export { waitFor } from './wait.js';
export { teardown, START_TIMEOUT, STOP_TIMEOUT } from './teardown.js';
