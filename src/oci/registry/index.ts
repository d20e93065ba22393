// The OCI registry client: transport, auth and the artifact operations.
export { RegistryClient, type RegistryRequest } from './client.js';
export {
  DEFAULT_TIMEOUT_MS,
  type RegistryClientOptions,
  type TransferProgress,
} from './client-options.js';
export { describeCredentials, type Credentials } from './credentials.js';
export { RegistryResponseError } from './registry-errors.js';
export { credentialsFromConfig, findAuthConfigFile } from './docker-config.js';
export { toReference, type OperationOptions } from './operation.js';
export { pushArtifact, type PushOptions, type PushResult } from './push.js';
export {
  pullArtifact,
  pullArtifactToDirectory,
  pullArtifactToFile,
  selectLayer,
  type ImageManifest,
  type PullOptions,
  type PulledArtifact,
  type PulledArtifactDirectory,
  type PulledArtifactFile,
  type PullToDirectoryOptions,
} from './pull.js';
export { tagArtifact, validateTag, type TagResult } from './tag.js';
export {
  listArtifacts,
  listTags,
  tagFilter,
  type ListOptions,
  type ListedArtifact,
} from './list.js';
export { resolveArtifact } from './resolve.js';
export type { ManifestInfo } from './api/manifests.js';
export { diffArtifact, diffArtifactTree, type ArtifactDiff, type DiffOptions } from './diff.js';
export type { TransferStats } from './http/transport.js';
