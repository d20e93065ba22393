import { UserError } from '../../../errors.js';
import type { CloudProvider } from './cloud-login.js';

/** The variables each cloud's SDK reads its identity (and endpoints) from. */
const IDENTITY_VARIABLES: Readonly<Record<CloudProvider, RegExp>> = {
  aws: /^AWS_/,
  azure: /^(AZURE_|MSI_|IDENTITY_ENDPOINT$|IDENTITY_HEADER$|IMDS_ENDPOINT$)/,
  gcp: /^(GOOGLE_|GCE_METADATA_|CLOUDSDK_)/,
};

/**
 * Refuses an `env` option that gives a cloud identity other than the process's: the SDKs
 * read only `process.env`, and their tokens are shared by the whole process, so such an
 * `env` would silently log in as someone else. Names the variables, never their values.
 */
export function checkCloudEnv(provider: CloudProvider, env: NodeJS.ProcessEnv): void {
  if (env === process.env) return;
  const differing = Object.keys(env).filter(
    (name) => IDENTITY_VARIABLES[provider].test(name) && env[name] !== process.env[name],
  );
  if (differing.length > 0) {
    throw new UserError(
      `provider ${provider}: the env option sets ${differing.join(', ')} otherwise than process.env, but the cloud's SDK reads its identity from process.env only and its tokens serve the whole process: set it in process.env, or run each cloud identity in its own process`,
    );
  }
}
