import { X509Certificate } from 'node:crypto';
import { createReadStream, readFileSync } from 'node:fs';
import { Readable } from 'node:stream';
import { rootCertificates } from 'node:tls';
import type { Dispatcher } from 'undici';
import { UserError } from '../../../errors.js';
import { Agent, EnvHttpProxyAgent, request } from './undici-parts.js';
import {
  isRetryableError,
  isRetryableStatus,
  parseRetryAfter,
  retryDelay,
  sleep,
  type RetryPolicy,
} from './retry.js';

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

/** Forward proxies as Go's `http.ProxyFromEnvironment` (and so Flux) takes them. */
export interface ProxySettings {
  readonly httpProxy?: string;
  readonly httpsProxy?: string;
  readonly noProxy?: string;
}

/** Proxy settings from an environment (upper or lower case names); undefined when none. */
export function proxyFromEnv(env: NodeJS.ProcessEnv): ProxySettings | undefined {
  const pick = (name: string): string | undefined =>
    env[name] || env[name.toLowerCase()] || undefined;
  const settings = {
    httpProxy: pick('HTTP_PROXY'),
    httpsProxy: pick('HTTPS_PROXY'),
    noProxy: pick('NO_PROXY'),
  };
  return settings.httpProxy || settings.httpsProxy ? settings : undefined;
}

/** Loopback is never proxied, as in Go's http.ProxyFromEnvironment. */
const LOOPBACK = 'localhost,127.0.0.1,[::1]';

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
  /** Fail instead of reading a response body larger than this (a registry is not trusted). */
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

/**
 * HTTP for one registry: one undici Agent (so connections are reused across requests and
 * operations), TLS with the system roots plus an optional CA file, the environment's
 * HTTP(S) proxies, and retries with backoff for transient failures.
 */
export class HttpTransport {
  readonly stats: TransferStats = {
    requests: 0,
    failedRequests: 0,
    bytesSent: 0,
    bytesReceived: 0,
  };
  private readonly agent: Dispatcher;

  constructor(private readonly options: TransportOptions) {
    let ca: string[] | undefined;
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
      // Giving `ca` replaces Node's roots, so keep them next to the extra CA.
      ca = [...rootCertificates, pem];
    }
    const tls = { ca, rejectUnauthorized: true };
    const agentOptions = {
      connect: tls,
      headersTimeout: options.requestTimeoutMs,
      bodyTimeout: options.requestTimeoutMs,
      keepAliveTimeout: 30_000,
      connections: 8,
    };
    const proxy = options.proxy;
    this.agent = proxy
      ? new EnvHttpProxyAgent({
          ...agentOptions,
          // Explicit values: undici would otherwise read process.env itself.
          httpProxy: proxy.httpProxy ?? '',
          httpsProxy: proxy.httpsProxy ?? '',
          noProxy: [proxy.noProxy, LOOPBACK].filter(Boolean).join(','),
          // TLS with the registry inside the proxy tunnel.
          requestTls: tls,
        })
      : new Agent(agentOptions);
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
    const headers: Record<string, string> = {
      'user-agent': this.options.userAgent,
      ...req.headers,
    };
    let body: Uint8Array | Readable | undefined;
    if (req.body instanceof Uint8Array) {
      headers['content-length'] = String(req.body.length);
      body =
        req.body.length > UPLOAD_CHUNK
          ? Readable.from(this.chunked(req.body, req.onSent), { objectMode: false })
          : req.body;
      if (req.body.length <= UPLOAD_CHUNK) this.stats.bytesSent += req.body.length;
    } else if (req.body) {
      headers['content-length'] = String(req.body.size);
      body = Readable.from(this.fromFile(req.body, req.onSent), { objectMode: false });
    }
    let res: Dispatcher.ResponseData;
    try {
      res = await request(req.url, {
        dispatcher: this.agent,
        method: req.method,
        headers,
        body,
        signal: req.signal,
      });
    } catch (err) {
      this.stats.failedRequests++;
      throw err;
    }
    this.stats.requests++;
    const chunks: Buffer[] = [];
    let received = 0;
    const sink = res.statusCode === 200 ? req.sink : undefined;
    sink?.begin();
    for await (const chunk of res.body as AsyncIterable<Buffer>) {
      received += chunk.length;
      this.stats.bytesReceived += chunk.length;
      if (req.maxResponseBytes !== undefined && received > req.maxResponseBytes) {
        res.body.destroy();
        throw new ResponseTooLargeError(req.url, req.maxResponseBytes);
      }
      if (sink) await sink.write(chunk);
      else chunks.push(chunk);
      req.onReceived?.(received);
    }
    return {
      status: res.statusCode,
      headers: res.headers,
      body: Buffer.concat(chunks),
      url: req.url,
    };
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
    await this.agent.close();
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
