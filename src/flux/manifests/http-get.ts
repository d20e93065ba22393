// GETs of Flux's release files (manifests, checksums, the latest tag) over the registry
// client's transport: the same proxy settings (HTTPS_PROXY, HTTP_PROXY, NO_PROXY as Go
// reads them), the same TLS roots and node:http connections.
import {
  HttpTransport,
  RequestTimeoutError,
  headerValue,
  proxyFromEnv,
  type HttpResponse,
} from '../../oci/registry/http/transport.js';
import { PACKAGE_VERSION } from '../../version.js';

/** Redirects followed, as fetch does (GitHub sends release assets to its object storage). */
const MAX_REDIRECTS = 20;
const REDIRECT_STATUSES = new Set([301, 302, 303, 307, 308]);
/** Flux's manifests.tar.gz is ~0.5 MB; anything past this is not a release's file. */
const MAX_FILE_BYTES = 256 * 1024 * 1024;

/**
 * GETs `url`, following redirects, within `timeoutMs` for the whole exchange; not retried.
 * Network failures are thrown as they come (Node's errors carry `code`); past the deadline
 * the error is a `TimeoutError`. Loaded at the first download (with the transport).
 */
export async function httpGet(
  url: string,
  options: {
    readonly env: Readonly<Record<string, string | undefined>>;
    readonly timeoutMs: number;
  },
): Promise<HttpResponse> {
  const transport = new HttpTransport({
    retry: { retries: 0, baseDelayMs: 0, maxDelayMs: 0 },
    userAgent: `flux-oci/${PACKAGE_VERSION}`,
    requestTimeoutMs: options.timeoutMs,
    proxy: proxyFromEnv(options.env),
  });
  const signal = AbortSignal.timeout(options.timeoutMs);
  try {
    let target = new URL(url);
    for (let hops = 0; ; hops++) {
      const res = await transport.send({
        method: 'GET',
        url: target.href,
        signal,
        maxResponseBytes: MAX_FILE_BYTES,
      });
      const location = headerValue(res.headers, 'location');
      if (!REDIRECT_STATUSES.has(res.status) || !location || hops === MAX_REDIRECTS) return res;
      target = new URL(location, target);
      if (target.protocol !== 'https:' && target.protocol !== 'http:') return res;
    }
  } catch (err) {
    if (signal.aborted || err instanceof RequestTimeoutError) {
      throw new DOMException(`no answer within ${options.timeoutMs} ms`, 'TimeoutError');
    }
    throw err;
  } finally {
    await transport.close();
  }
}
