import type { OciProvider } from '../provider.js';
import type { Credentials } from './credentials.js';

/** Transfer progress of one blob, for progress bars. */
export interface TransferProgress {
  readonly direction: 'upload' | 'download';
  readonly digest: string;
  /** Bytes moved so far. */
  readonly bytes: number;
  /** Size of the blob. */
  readonly total: number;
}

/** How a registry client connects and authenticates; every field is optional. */
export interface RegistryClientOptions {
  /**
   * Credentials for the registry.
   * @default from the Docker/Podman auth file (and its credential helpers), else anonymous
   */
  readonly credentials?: Credentials;
  /**
   * Log in with a cloud's own identity, as Flux's `--provider`: `aws` (ECR: the default
   * credential provider chain and `GetAuthorizationToken`), `azure` (ACR: an Entra ID token
   * from `DefaultAzureCredential` exchanged for a refresh token) or `gcp` (Artifact and
   * Container Registry: an access token from the application default credentials). The
   * registry host must be one of that cloud's. The cloud identity is the PROCESS's: the
   * SDKs read it from `process.env` only (never from `env`), and tokens are kept in memory
   * for the whole process (per registry; one for gcp), shared by every client, and renewed
   * before they expire or when the registry refuses them. Two identities need two
   * processes. Not together with `credentials`.
   * @default 'generic' - `credentials`, else the auth file, else anonymous
   */
  readonly provider?: OciProvider;
  /**
   * Look for credentials in the Docker/Podman auth file when `credentials` is absent.
   * @default true
   */
  readonly useAuthFile?: boolean;
  /**
   * Environment for the auth file (`DOCKER_CONFIG`, `REGISTRY_AUTH_FILE`, ...) and the
   * proxies (`HTTPS_PROXY`, `HTTP_PROXY`, `NO_PROXY`; loopback is never proxied). Not for
   * the cloud identity of `provider` (see there): an `env` whose `AWS_*`, `AZURE_*` or
   * `GOOGLE_*` variables differ from `process.env` is refused with that provider.
   * @default process.env
   */
  readonly env?: NodeJS.ProcessEnv;
  /** PEM file of a CA to trust next to the system roots. @default system roots only */
  readonly caFile?: string;
  /**
   * Allow plain HTTP when the registry does not speak TLS (Flux's `--insecure-registry`).
   * Certificates are still verified when the registry does speak TLS. `localhost`,
   * `127.0.0.1` and `::1` need no flag, as in Flux and go-containerregistry.
   * @default false - plain HTTP only to localhost, 127.0.0.1 and ::1
   */
  readonly allowInsecureHttp?: boolean;
  /** Deadline of one operation (a push, a pull, ...), retries included. @default 300000 (Flux's 5m) */
  readonly timeoutMs?: number;
  /** Longest wait for response headers or the next body chunk of one request. @default 60000 */
  readonly requestTimeoutMs?: number;
  /** Retries of a request after 408, 429, 5xx, a reset or a timeout. @default 4 */
  readonly retries?: number;
  /** Delay before the first retry; doubles each time, with jitter. @default 500 */
  readonly retryDelayMs?: number;
  /** @default `flux-oci/<this package's version>` */
  readonly userAgent?: string;
  /** Called as blobs of real size move. @default none */
  readonly onProgress?: (progress: TransferProgress) => void;
}

export const DEFAULT_TIMEOUT_MS = 300_000;
