/**
 * A failed Kubernetes API request: the HTTP status, the API's reason (`NotFound`,
 * `Conflict`, `Invalid`, ...) and its message. Never carries the request body, which may
 * hold Secret data.
 */
export class KubeApiError extends Error {
  constructor(
    readonly statusCode: number,
    /** The API's reason, e.g. `Invalid`; empty when the answer was not a Status. */
    readonly reason: string,
    /** The API's own message, without the request line. */
    readonly statusMessage: string,
    message: string,
  ) {
    super(message);
    this.name = 'KubeApiError';
  }
}

export function isNotFound(error: unknown): boolean {
  return error instanceof KubeApiError && error.statusCode === 404;
}

/** Builds the error from a response: a `Status` object when the API server sent one. */
export function kubeApiErrorFrom(
  statusCode: number,
  body: string,
  method: string,
  path: string,
): KubeApiError {
  let reason: string;
  let message: string;
  try {
    const status = JSON.parse(body) as { reason?: string; message?: string };
    reason = status.reason ?? '';
    message = status.message ?? '';
  } catch {
    reason = '';
    message = body.slice(0, 200).trim();
  }
  return new KubeApiError(
    statusCode,
    reason,
    message,
    `${method} ${path}: ${statusCode}${reason ? ` ${reason}` : ''}${message ? `: ${message}` : ''}`,
  );
}
