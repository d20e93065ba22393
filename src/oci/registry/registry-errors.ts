import { STATUS_CODES } from 'node:http';
import { formatDuration } from '../../duration.js';
import { UserError } from '../../errors.js';
import { escapeControl } from '../../terminal-text.js';
import { isLoopbackRegistry } from './http/loopback.js';
import { errorCode, isRetryableError } from './http/retry.js';
import { headerValue, ResponseTooLargeError, type HttpResponse } from './http/transport.js';

/** Registry text in a message is cut to this many characters (a body may be anything). */
const MAX_QUOTED_CHARS = 300;

/**
 * The first `{code, message}` of a distribution error body, as `CODE: message`, else the
 * status line (`HTTP 431 Request Header Fields Too Large`); control characters escaped.
 */
export function registryErrorText(res: HttpResponse): string {
  try {
    const body = JSON.parse(res.body.toString('utf8')) as {
      errors?: { code?: unknown; message?: unknown }[];
    };
    const first = body.errors?.[0];
    const text = [first?.code, first?.message].filter((t) => typeof t === 'string').join(': ');
    if (text) return escapeControl(text.slice(0, MAX_QUOTED_CHARS));
  } catch {
    // not JSON: fall through to the status line
  }
  return `HTTP ${res.status}${STATUS_CODES[res.status] ? ` ${STATUS_CODES[res.status]}` : ''}`;
}

/**
 * The registry (or its token server) answered with a status the operation cannot go on with.
 * The message is the one the CLI prints; a library caller tells a 401 from a 404 by `status`
 * and reads the distribution error `code` (`MANIFEST_UNKNOWN`, `DENIED`, ...) when the body
 * carried one.
 */
export class RegistryResponseError extends UserError {
  readonly status: number;
  readonly code: string | undefined;

  constructor(
    message: string,
    res: Pick<HttpResponse, 'status' | 'body'>,
    /** @default the code in `res.body` */
    code: string | undefined = registryErrorCode(res),
  ) {
    super(message);
    this.status = res.status;
    this.code = code;
  }
}

/** The `code` of the first error in a distribution error body, if there is one. */
export function registryErrorCode(res: Pick<HttpResponse, 'body'>): string | undefined {
  try {
    const body = JSON.parse(res.body.toString('utf8')) as { errors?: { code?: unknown }[] };
    const code = body.errors?.[0]?.code;
    return typeof code === 'string' ? escapeControl(code.slice(0, MAX_QUOTED_CHARS)) : undefined;
  } catch {
    return undefined;
  }
}

/** A response the operation cannot go on with, as a message naming the request. */
export function unexpectedResponse(
  registry: string,
  what: string,
  res: HttpResponse,
): RegistryResponseError {
  return new RegistryResponseError(
    `registry ${registry} failed to ${what} (${res.status}): ${registryErrorText(res)}${statusAdvice(res)}`,
    res,
  );
}

/** What a status that is not an error of the registry's API means, and what to do. */
function statusAdvice(res: HttpResponse): string {
  if (res.status >= 300 && res.status < 400) {
    const location = headerValue(res.headers, 'location');
    return location
      ? `, a redirect to ${escapeControl(location.slice(0, MAX_QUOTED_CHARS))}, which only reads follow: check the registry URL`
      : ', a redirect without a Location header: check the registry URL';
  }
  if (res.status === 407) {
    return ': the HTTP proxy asks for credentials; give them in HTTP_PROXY as http://user:password@host:port';
  }
  if (res.status === 431) {
    return ': the registry refuses headers this large (the credentials or token sent); check the credentials';
  }
  return '';
}

const CERTIFICATE_CODES = new Set([
  'DEPTH_ZERO_SELF_SIGNED_CERT',
  'SELF_SIGNED_CERT_IN_CHAIN',
  'UNABLE_TO_VERIFY_LEAF_SIGNATURE',
  'UNABLE_TO_GET_ISSUER_CERT_LOCALLY',
  'UNABLE_TO_GET_ISSUER_CERT',
  'CERT_HAS_EXPIRED',
  'CERT_NOT_YET_VALID',
  'ERR_TLS_CERT_ALTNAME_INVALID',
  'CERT_UNTRUSTED',
]);

/** Whether `err` is a failed certificate check (as opposed to a server not speaking TLS). */
export function isCertificateError(err: unknown): boolean {
  return CERTIFICATE_CODES.has(errorCode(err) ?? '');
}

/** A failed request to a registry; `retryable` when sending it again may succeed. */
export class RegistryNetworkError extends UserError {
  constructor(
    message: string,
    readonly retryable: boolean,
  ) {
    super(message);
  }
}

/**
 * Turns a transport failure into a message that says what went wrong with which host and
 * what to do about it; errors that are not about the network pass through.
 */
export function networkError(
  err: unknown,
  registry: string,
  timeoutMs: number,
  signal?: AbortSignal,
): unknown {
  if (err instanceof UserError) return err;
  if (signal?.aborted) {
    return new UserError(
      `registry ${registry} did not complete the operation within ${formatDuration(timeoutMs)}: raise --timeout or check the network`,
    );
  }
  if (err instanceof ResponseTooLargeError) {
    return new UserError(`registry ${registry} sent more than ${err.limit} bytes for ${err.url}`);
  }
  const code = errorCode(err);
  const hostname = registry.replace(/:\d+$/, '');
  switch (code) {
    case 'ENOTFOUND':
    case 'EAI_AGAIN':
      return new UserError(
        `cannot resolve the registry host '${hostname}' (${code}): check the URL`,
      );
    case 'ECONNREFUSED':
      // On this machine, most often a local registry (kind's) that is not started.
      return new UserError(
        `registry ${registry} refused the connection: ${isLoopbackRegistry(registry) ? 'is the registry running? ' : ''}check the host and port`,
      );
    case 'EPROTO':
    case 'ERR_SSL_WRONG_VERSION_NUMBER':
      return new UserError(
        `registry ${registry} does not speak TLS (${code}): for a plain HTTP registry pass --allow-insecure-http`,
      );
  }
  if (code === 'ERR_TLS_CERT_ALTNAME_INVALID') {
    return new UserError(
      `TLS certificate of registry ${registry} does not name the host '${hostname}' (${escapeControl(causeWithCode(err)?.message ?? code)}): use a host name the certificate names, or have the certificate reissued for '${hostname}'`,
    );
  }
  if (isHttpParserError(err)) {
    return new UserError(
      `registry ${registry} answered with something that is not HTTP (${escapeControl((causeWithCode(err)?.message ?? '').slice(0, MAX_QUOTED_CHARS))}): check that ${registry} is the registry's host and port`,
    );
  }
  if (isCertificateError(err)) {
    return new UserError(
      `TLS certificate of registry ${registry} is not trusted (${code}): pass --ca-file with the CA that signed it`,
    );
  }
  if (code) {
    return new RegistryNetworkError(
      `request to registry ${registry} failed (${code}): ${(err as Error).message}`,
      isRetryableError(err),
    );
  }
  return err;
}

/** The error in `err`'s cause chain that carries the `code`. */
function causeWithCode(err: unknown): Error | undefined {
  for (let e: unknown = err, depth = 0; e && depth < 5; depth++) {
    if (typeof (e as { code?: unknown }).code === 'string') return e as Error;
    e = (e as { cause?: unknown }).cause;
  }
  return undefined;
}

/** Node could not parse the answer as HTTP/1.1 (a garbage status line, bad headers): llhttp's `HPE_*` codes. */
function isHttpParserError(err: unknown): boolean {
  return errorCode(err)?.startsWith('HPE_') ?? false;
}
