import { X509Certificate } from 'node:crypto';
import { createReadStream, readFileSync } from 'node:fs';
import type { ClientRequest, IncomingMessage } from 'node:http';
import { formatDuration } from '../../../duration.js';
import { UserError } from '../../../errors.js';
import { ConnectionPool, GIVE_UP_OPTION } from './connection-pool.js';
import type { ProxySettings } from './proxy-from-environment.js';
import {
  errorCode,
  isRetryableError,
  isRetryableStatus,
  parseRetryAfter,
  retryDelay,
  sleep,
  type RetryPolicy,
} from './retry.js';

export { proxyFromEnv, type ProxySettings } from './proxy-from-environment.js';

/** How the transport connects; built by the registry client from its options. */
export interface TransportOptions {
  /** PEM file of extra CAs trusted next to the system roots. */
  readonly caFile?: string;
  readonly retry: RetryPolicy;
  readonly userAgent: string;
  /** Longest wait for response headers, or between two body chunks, of one request. */
  readonly requestTimeoutMs: number;
  /** HTTP proxies (from `HTTPS_PROXY`, `HTTP_PROXY`, `NO_PROXY`); none when absent. */
  readonly proxy?: ProxySettings;
}

export type HttpMethod = 'GET' | 'HEAD' | 'POST' | 'PUT' | 'PATCH' | 'DELETE';

export interface HttpRequest {
  readonly method: HttpMethod;
  readonly url: string;
  readonly headers?: Readonly<Record<string, string>>;
  /** Bytes, or a file of `size` bytes streamed from disk (read anew at each retry). */
  readonly body?: Uint8Array | BodyFile;
  /**
   * Where a 200 response's body goes, piece by piece, instead of into memory (the response
   * then has an empty body); `begin` is called before each attempt's first piece.
   * @default none: the body is returned in memory
   */
  readonly sink?: ResponseSink;
  /**
   * Send again on 408/429/5xx, resets and timeouts; off for requests that are not idempotent.
   * @default true
   */
  readonly retry?: boolean;
  /**
   * Fail instead of reading a response body larger than this (a registry is not trusted).
   * @default MAX_IN_MEMORY_RESPONSE_BYTES for a body read into memory; none for a sink's
   */
  readonly maxResponseBytes?: number;
  /** Bytes of the body sent so far (for progress). */
  readonly onSent?: (bytes: number) => void;
  /** Bytes of the response body received so far (for progress). */
  readonly onReceived?: (bytes: number) => void;
  /** The operation's deadline. */
  readonly signal?: AbortSignal;
}

/** A request body read from a file. */
export interface BodyFile {
  readonly path: string;
  readonly size: number;
}

/** Takes a response body as it arrives (see HttpRequest.sink). */
export interface ResponseSink {
  begin(): void;
  /** Reading waits for a returned promise (backpressure). */
  write(piece: Buffer): void | Promise<void>;
}

export interface HttpResponse {
  readonly status: number;
  readonly headers: Readonly<Record<string, string | string[] | undefined>>;
  readonly body: Buffer;
  readonly url: string;
}

/** What went over the wire. */
export interface TransferStats {
  /** Requests answered by the server (with any status), retries included. */
  requests: number;
  /** Attempts that got no answer: refused, reset, timed out, TLS failures. */
  failedRequests: number;
  bytesSent: number;
  bytesReceived: number;
}

/** The largest response body read into memory when the request names no limit. */
export const MAX_IN_MEMORY_RESPONSE_BYTES = 4 * 1024 * 1024;

/** Bodies larger than this go out in chunks of this size, so progress can be reported. */
const UPLOAD_CHUNK = 1024 * 1024;

/** The response body was larger than the caller allowed. */
export class ResponseTooLargeError extends Error {
  constructor(
    readonly url: string,
    readonly limit: number,
  ) {
    super(`response from ${url} is larger than ${limit} bytes`);
  }
}

/** No byte came from the server for `requestTimeoutMs`: waiting for headers or the next body chunk. */
export class RequestTimeoutError extends Error {
  /** Node's code for a timed-out connection, so it is retried like one. */
  readonly code = 'ETIMEDOUT';

  constructor(readonly timeoutMs: number) {
    super(`no data from the server for ${formatDuration(timeoutMs)}`);
  }
}

/**
 * An HTTP(S) proxy refused the CONNECT tunnel to the registry (or asked for credentials):
 * no request reached the registry, so nothing is retried.
 */
export class ProxyTunnelError extends UserError {}

/**
 * The proxy could not be reached (not resolved, refused, no answer) before a tunnel or
 * connection to the registry was up: HTTPS_PROXY or HTTP_PROXY is what to fix, not the
 * registry's URL. `cause` is Node's error, whose code decides retries.
 */
export class ProxyConnectError extends UserError {
  constructor(message: string, cause: Error) {
    super(message);
    this.cause = cause;
  }
}

/**
 * HTTP for one registry over Node's own http/https: one keep-alive connection pool (so
 * connections are reused across requests and operations), TLS with the system roots plus an
 * optional CA file, the environment's HTTP(S) proxies, and retries with backoff for
 * transient failures.
 */
export class HttpTransport {
  readonly stats: TransferStats = {
    requests: 0,
    failedRequests: 0,
    bytesSent: 0,
    bytesReceived: 0,
  };
  private readonly pool: ConnectionPool;

  constructor(private readonly options: TransportOptions) {
    let extraCa: string | undefined;
    if (options.caFile) {
      let pem: string;
      try {
        pem = readFileSync(options.caFile, 'utf8');
      } catch (err) {
        throw new UserError(
          `cannot read the CA file '${options.caFile}': ${(err as Error).message}; check --ca-file`,
        );
      }
      checkPemCertificates(pem, options.caFile);
      extraCa = pem;
    }
    this.pool = new ConnectionPool(options.proxy, extraCa);
  }

  /** Sends `req`, retrying transient failures as the policy allows; returns the final response. */
  async send(req: HttpRequest): Promise<HttpResponse> {
    const policy = this.options.retry;
    for (let attempt = 0; ; attempt++) {
      const mayRetry = req.retry !== false && attempt < policy.retries;
      let response: HttpResponse;
      try {
        response = await this.sendOnce(req);
      } catch (err) {
        if (req.signal?.aborted || !mayRetry || !isRetryableError(err)) throw err;
        await sleep(retryDelay(policy, attempt), req.signal);
        continue;
      }
      if (mayRetry && isRetryableStatus(response.status)) {
        const retryAfter = parseRetryAfter(headerValue(response.headers, 'retry-after'));
        await sleep(retryDelay(policy, attempt, retryAfter), req.signal);
        continue;
      }
      return response;
    }
  }

  private async sendOnce(req: HttpRequest): Promise<HttpResponse> {
    req.signal?.throwIfAborted();
    const url = new URL(req.url);
    const headers: Record<string, string> = {
      'user-agent': this.options.userAgent,
      ...req.headers,
    };
    let body: Uint8Array | AsyncIterable<Uint8Array> | undefined;
    if (req.body instanceof Uint8Array) {
      headers['content-length'] = String(req.body.length);
      body = req.body.length > UPLOAD_CHUNK ? this.chunked(req.body, req.onSent) : req.body;
      if (req.body.length <= UPLOAD_CHUNK) this.stats.bytesSent += req.body.length;
    } else if (req.body) {
      headers['content-length'] = String(req.body.size);
      body = this.fromFile(req.body, req.onSent);
    }
    const { request, agent, secureContext, proxy } = await this.pool.connectionFor(url);
    // Through a proxy, the connection to it is given up when no tunnel is up in time.
    const giveUp = proxy ? new AbortController() : undefined;
    const outgoing = request(url, {
      method: req.method,
      headers,
      agent,
      signal: req.signal,
      ...(giveUp ? { [GIVE_UP_OPTION]: giveUp.signal } : {}),
      // Verified always; the CA file's context when there is one.
      rejectUnauthorized: true,
      ...(secureContext ? { secureContext } : {}),
    });
    let res: IncomingMessage;
    try {
      res = await this.exchange(
        outgoing,
        body,
        proxy && { proxy, protocol: url.protocol, signal: req.signal, giveUp: giveUp! },
      );
    } catch (err) {
      this.stats.failedRequests++;
      throw err;
    }
    this.stats.requests++;
    const chunks: Buffer[] = [];
    let received = 0;
    const sink = res.statusCode === 200 ? req.sink : undefined;
    // A body read into memory is bounded even when the caller named no limit (an answer
    // to a HEAD, POST or PUT, an error body): the server is not trusted.
    const limit = req.maxResponseBytes ?? (sink ? undefined : MAX_IN_MEMORY_RESPONSE_BYTES);
    sink?.begin();
    for await (const chunk of res as AsyncIterable<Buffer>) {
      received += chunk.length;
      this.stats.bytesReceived += chunk.length;
      if (limit !== undefined && received > limit) {
        outgoing.destroy();
        throw new ResponseTooLargeError(req.url, limit);
      }
      if (sink) await sink.write(chunk);
      else chunks.push(chunk);
      req.onReceived?.(received);
    }
    return {
      status: res.statusCode ?? 0,
      headers: res.headers,
      body: Buffer.concat(chunks),
      url: req.url,
    };
  }

  /**
   * Sends `body` on `outgoing` and resolves with the response once its headers are in. From
   * then on a timeout (no byte for `requestTimeoutMs`) fails the response body instead.
   */
  private exchange(
    outgoing: ClientRequest,
    body: Uint8Array | AsyncIterable<Uint8Array> | undefined,
    via?: { proxy: URL; protocol: string; signal?: AbortSignal; giveUp: AbortController },
  ): Promise<IncomingMessage> {
    const timeoutMs = this.options.requestTimeoutMs;
    return new Promise((resolve, reject) => {
      let response: IncomingMessage | undefined;
      // Through a proxy, a failure before the request has a connected socket (the tunnel,
      // for https) is the proxy's. The request's own timeout starts with its socket only,
      // so a proxy that never answers is timed here.
      // A request destroyed before it has a socket fails only once the agent hands one
      // over, which a silent proxy never lets happen: fail it here.
      let connected = !via;
      const fail = (err: Error): void => {
        outgoing.destroy(err);
        if (!connected) via?.giveUp.abort(err);
        reject(via && !connected ? proxyUnreachable(err, via.proxy, via.protocol) : err);
      };
      const connecting = via
        ? setTimeout(() => fail(new RequestTimeoutError(timeoutMs)), timeoutMs)
        : undefined;
      const onAbort = (): void => fail(new DOMException('The operation was aborted', 'AbortError'));
      const stopWatching = (): void => {
        clearTimeout(connecting);
        via?.signal?.removeEventListener('abort', onAbort);
      };
      const onConnected = (): void => {
        connected = true;
        stopWatching();
      };
      if (via) {
        outgoing.once('socket', (socket) => {
          if (socket.connecting) socket.once('connect', onConnected);
          else onConnected();
        });
        outgoing.once('close', stopWatching);
        via.signal?.addEventListener('abort', onAbort, { once: true });
      }
      // Kept for the request's whole life: an error after the response fails its body.
      outgoing.on('error', fail);
      outgoing.on('response', (res: IncomingMessage) => {
        response = res;
        resolve(res);
      });
      outgoing.setTimeout(timeoutMs, () => {
        const err = new RequestTimeoutError(timeoutMs);
        response?.destroy(err);
        outgoing.destroy(err);
      });
      outgoing.on('proxyConnect', (answer: { statusCode: number; statusText: string }) => {
        if (answer.statusCode !== 200) outgoing.destroy(proxyRefused(outgoing, answer));
      });
      if (body === undefined) outgoing.end();
      else if (body instanceof Uint8Array) outgoing.end(body);
      else void writeBody(outgoing, body);
    });
  }

  private async *chunked(
    bytes: Uint8Array,
    onSent?: (bytes: number) => void,
  ): AsyncGenerator<Uint8Array> {
    for (let offset = 0; offset < bytes.length; offset += UPLOAD_CHUNK) {
      const chunk = bytes.subarray(offset, offset + UPLOAD_CHUNK);
      yield chunk;
      this.stats.bytesSent += chunk.length;
      onSent?.(offset + chunk.length);
    }
  }

  /** A file's bytes in pieces, counted as sent; a file that is not `size` bytes is refused. */
  private async *fromFile(
    file: BodyFile,
    onSent?: (bytes: number) => void,
  ): AsyncGenerator<Buffer> {
    let sent = 0;
    for await (const chunk of createReadStream(file.path, { highWaterMark: UPLOAD_CHUNK })) {
      const piece = chunk as Buffer;
      sent += piece.length;
      if (sent > file.size) break;
      yield piece;
      this.stats.bytesSent += piece.length;
      onSent?.(sent);
    }
    if (sent !== file.size) {
      throw new UserError(`${file.path} is not ${file.size} bytes any more: try again`);
    }
  }

  /** Closes the pooled connections. */
  async close(): Promise<void> {
    await this.pool.close();
  }
}

/**
 * Refuses a CA file without a readable PEM certificate, which Node would silently ignore
 * (every TLS registry would then look untrusted).
 */
function checkPemCertificates(pem: string, file: string): void {
  const blocks = pem.match(/-----BEGIN CERTIFICATE-----[\s\S]*?-----END CERTIFICATE-----/g);
  if (!blocks) {
    throw new UserError(
      `the CA file '${file}' holds no PEM certificate (a '-----BEGIN CERTIFICATE-----' block): give --ca-file the CA certificate in PEM format`,
    );
  }
  for (const [i, block] of blocks.entries()) {
    try {
      new X509Certificate(block);
    } catch (err) {
      throw new UserError(
        `certificate ${i + 1} of the CA file '${file}' is not a valid PEM certificate (${(err as Error).message}): give --ca-file the CA certificate in PEM format`,
      );
    }
  }
}

/** A header as one string (the first value when repeated). */
export function headerValue(
  headers: Readonly<Record<string, string | string[] | undefined>>,
  name: string,
): string | undefined {
  const value = headers[name.toLowerCase()];
  return Array.isArray(value) ? value[0] : value;
}

/**
 * Writes `pieces` to `outgoing` as fast as it takes them. A body that fails (a file that
 * changed) fails the request with its own error (stream.pipeline would abort it as a
 * retryable 'socket hang up').
 */
async function writeBody(
  outgoing: ClientRequest,
  pieces: AsyncIterable<Uint8Array>,
): Promise<void> {
  try {
    for await (const piece of pieces) {
      if (outgoing.destroyed) return;
      if (!outgoing.write(piece)) await drained(outgoing);
    }
    outgoing.end();
  } catch (err) {
    outgoing.destroy(err as Error);
  }
}

/** Resolves when `outgoing` takes writes again, or is gone. */
function drained(outgoing: ClientRequest): Promise<void> {
  return new Promise((resolve) => {
    const done = (): void => {
      outgoing.off('drain', done);
      outgoing.off('close', done);
      resolve();
    };
    outgoing.on('drain', done);
    outgoing.on('close', done);
  });
}

/**
 * A failure to reach the proxy, as one line naming it (host and port, never its
 * credentials) and the variable to fix; errors that are not about the connection (the
 * operation's deadline, a refused tunnel) pass through.
 */
function proxyUnreachable(err: Error, proxy: URL, protocol: string): Error {
  const code = errorCode(err);
  if (err instanceof UserError || !code || code === 'ABORT_ERR') return err;
  const port = proxy.port || (proxy.protocol === 'https:' ? '443' : '80');
  const [kind, variable] =
    protocol === 'https:' ? ['HTTPS', 'HTTPS_PROXY'] : ['HTTP', 'HTTP_PROXY'];
  const detail =
    err instanceof RequestTimeoutError ? `no answer within ${formatDuration(err.timeoutMs)}` : code;
  return new ProxyConnectError(
    `cannot reach the ${kind} proxy ${proxy.hostname}:${port} (${detail}): check ${variable}`,
    err,
  );
}

/** The proxy's refusal of a tunnel, as one line saying what to do. */
function proxyRefused(
  outgoing: ClientRequest,
  answer: { statusCode: number; statusText: string },
): ProxyTunnelError {
  const target = outgoing.getHeader('host');
  const status = `${answer.statusCode}${answer.statusText ? ` ${answer.statusText}` : ''}`;
  return new ProxyTunnelError(
    answer.statusCode === 407
      ? `the HTTPS proxy asks for credentials (${status}) to reach ${target}: give them in HTTPS_PROXY as http://user:password@host:port`
      : `the HTTPS proxy refused to connect to ${target} (${status}): check HTTPS_PROXY, and NO_PROXY for hosts to reach directly`,
  );
}
