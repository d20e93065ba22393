import { UserError } from '../../../errors.js';
import { escapeControl } from '../../../terminal-text.js';
import { createHash } from 'node:crypto';
import { closeSync, openSync, rmSync, writeSync } from 'node:fs';
import type { BlobSource, Descriptor } from '../../content/descriptor.js';
import type { RegistryClient } from '../client.js';
import { fileMatchesRegistryDigest, matchesRegistryDigest } from './content-digest.js';
import { RegistryNetworkError, unexpectedResponse } from '../registry-errors.js';
import { isRetryableStatus, retryDelay, sleep } from '../http/retry.js';
import {
  headerValue,
  type BodyFile,
  type HttpResponse,
  type ResponseSink,
} from '../http/transport.js';
import { processedBytes } from '../../../young-garbage.js';

/** Whether the registry has the blob (HEAD). */
export async function blobExists(
  client: RegistryClient,
  repository: string,
  descriptor: Descriptor,
  signal?: AbortSignal,
): Promise<boolean> {
  const res = await client.send({
    method: 'HEAD',
    path: `/v2/${repository}/blobs/${descriptor.digest}`,
    repository,
    push: true,
    signal,
  });
  if (res.status === 200) return true;
  if (res.status === 404) return false;
  throw unexpectedResponse(client.registry, `check blob ${descriptor.digest}`, res);
}

/** A step failed in a way that sending the whole upload again may fix. */
class RetryableUploadError extends Error {}

/**
 * What the client learned about the registry's uploads: whether a single POST with the
 * blob (the spec's monolithic upload) works, or the registry needs POST then PUT.
 */
export interface UploadCapabilities {
  monolithicPost?: boolean;
}

/**
 * Uploads a blob in the fewest requests the registry allows: a single POST with
 * `?digest=` when it supports monolithic uploads, else POST (session) + PUT (content and
 * digest). Distribution answers the monolithic POST with 202 and ignores the body, so it
 * is only tried with small blobs until the registry has shown it works. A failed upload
 * is started over after checking whether the blob arrived anyway.
 */
export async function uploadBlob(
  client: RegistryClient,
  repository: string,
  blob: BlobSource,
  capabilities: UploadCapabilities,
  signal?: AbortSignal,
): Promise<void> {
  const { digest, size } = blob.descriptor;
  let sent = 0;
  const progress = (bytes: number): void => {
    // A retry starts again at 0: count what went out since the last call.
    processedBytes(Math.max(0, bytes - sent));
    sent = bytes;
    client.progress({ direction: 'upload', digest, bytes, total: size });
  };
  const policy = client.retryPolicy;
  for (let attempt = 0; ; attempt++) {
    try {
      await uploadOnce(client, repository, blob, capabilities, progress, signal);
      return;
    } catch (err) {
      const retryable =
        err instanceof RetryableUploadError ||
        (err instanceof RegistryNetworkError && err.retryable);
      if (!retryable || attempt >= policy.retries || signal?.aborted) {
        if (err instanceof RetryableUploadError) {
          throw new UserError(
            `registry ${client.registry} failed to take blob ${digest}: ${err.message}`,
          );
        }
        throw err;
      }
      await sleep(retryDelay(policy, attempt), signal);
      if (await blobExists(client, repository, blob.descriptor, signal)) return;
    }
  }
}

/** Monolithic POSTs are tried only with blobs this small while support is unknown. */
export const MONOLITHIC_PROBE_BYTES = 64 * 1024;

async function uploadOnce(
  client: RegistryClient,
  repository: string,
  blob: BlobSource,
  capabilities: UploadCapabilities,
  progress: (bytes: number) => void,
  signal?: AbortSignal,
): Promise<void> {
  const { digest, size } = blob.descriptor;
  const body = bodyOf(blob);
  const tryMonolithic =
    capabilities.monolithicPost === true ||
    (capabilities.monolithicPost === undefined && size <= MONOLITHIC_PROBE_BYTES);
  const start = await client.send({
    method: 'POST',
    path: `/v2/${repository}/blobs/uploads/${tryMonolithic ? `?digest=${encodeURIComponent(digest)}` : ''}`,
    repository,
    push: true,
    headers: tryMonolithic ? { 'content-type': 'application/octet-stream' } : {},
    body: tryMonolithic ? body : undefined,
    onSent: progress,
    // A lost session is harmless; the registry expires it.
    retry: true,
    signal,
  });
  if (tryMonolithic && start.status === 201) {
    capabilities.monolithicPost = true;
    checkStoredDigest(client, start, blob);
    progress(size);
    return;
  }
  if (start.status !== 202) {
    if (isRetryableStatus(start.status))
      throw new RetryableUploadError(`POST answered ${start.status}`);
    throw unexpectedResponse(client.registry, `start the upload of blob ${digest}`, start);
  }
  if (tryMonolithic) capabilities.monolithicPost = false;
  const location = headerValue(start.headers, 'location');
  if (!location)
    throw new UserError(`registry ${client.registry} started an upload without a Location`);
  // Another origin gets the blob without the registry's credentials; plain HTTP only if allowed.
  const url = client.returnedUrl(location, start.url, 'an upload location');
  url.searchParams.set('digest', digest);
  const put = await client.send({
    method: 'PUT',
    path: url.toString(),
    repository,
    push: true,
    headers: { 'content-type': 'application/octet-stream' },
    body,
    onSent: progress,
    // The session may be consumed by a PUT whose answer got lost: start over instead.
    retry: false,
    signal,
  });
  if (put.status === 201 || put.status === 204) {
    checkStoredDigest(client, put, blob);
    return;
  }
  if (isRetryableStatus(put.status) || put.status === 404) {
    throw new RetryableUploadError(`PUT answered ${put.status}`);
  }
  throw unexpectedResponse(client.registry, `upload blob ${digest}`, put);
}

/** What an upload sends: the bytes, or the file streamed from disk. */
function bodyOf(blob: BlobSource): Uint8Array | BodyFile {
  return 'bytes' in blob ? blob.bytes : { path: blob.file, size: blob.descriptor.size };
}

function checkStoredDigest(client: RegistryClient, res: HttpResponse, blob: BlobSource): void {
  const stored = headerValue(res.headers, 'docker-content-digest');
  const { digest } = blob.descriptor;
  const what = `blob ${digest}`;
  const matches = (value: string): boolean =>
    'bytes' in blob
      ? matchesRegistryDigest(blob.bytes, value, client.registry, what)
      : fileMatchesRegistryDigest(blob.file, value, client.registry, what);
  if (stored && !matches(stored)) {
    throw new UserError(
      `registry ${client.registry} stored ${what} under digest ${escapeControl(stored)}: check the registry`,
    );
  }
}

/**
 * Downloads a blob, following redirects to storage (another origin gets no credentials),
 * reads at most `descriptor.size` bytes and verifies size and digest.
 */
export async function fetchBlob(
  client: RegistryClient,
  repository: string,
  descriptor: Descriptor,
  signal?: AbortSignal,
): Promise<Buffer> {
  // The one download path, with the pieces kept in memory (a retry starts them over).
  const pieces: Buffer[] = [];
  const keep: ResponseSink = {
    begin: () => {
      pieces.length = 0;
    },
    write: (piece) => {
      pieces.push(piece);
    },
  };
  await fetchBlobInto(client, repository, descriptor, keep, signal);
  return Buffer.concat(pieces);
}

/**
 * Refuses an answer to a blob GET that is not the blob: missing, another status, or bytes
 * whose size or digest (`actual`) differ.
 */
function checkBlobAnswer(
  client: RegistryClient,
  repository: string,
  { digest, size }: Descriptor,
  res: HttpResponse,
  received: number,
  actual: string,
): void {
  if (res.status === 404) {
    throw new UserError(
      `registry ${client.registry} does not have blob ${digest} of ${repository}`,
    );
  }
  if (res.status !== 200) throw unexpectedResponse(client.registry, `get blob ${digest}`, res);
  if (received !== size) {
    throw new UserError(
      `blob ${digest} from ${client.registry} has ${received} bytes, the manifest says ${size}`,
    );
  }
  if (actual !== digest) {
    throw new UserError(
      `blob ${digest} from ${client.registry} does not match its digest (got ${actual}): corrupt or tampered content`,
    );
  }
}

/**
 * Downloads a blob into `sink` as it arrives (memory stays at a few pieces; the download waits
 * for the sink), reading at most `descriptor.size` bytes, and verifies size and digest once
 * the last piece is in: the sink's work counts only when this returns. A retry starts the
 * sink over (`begin`).
 */
export async function fetchBlobInto(
  client: RegistryClient,
  repository: string,
  descriptor: Descriptor,
  sink: ResponseSink,
  signal?: AbortSignal,
): Promise<void> {
  const { digest, size } = descriptor;
  let hash = createHash('sha256');
  let received = 0;
  const res = await client.send({
    method: 'GET',
    path: `/v2/${repository}/blobs/${digest}`,
    repository,
    maxResponseBytes: size,
    onReceived: (bytes: number) =>
      client.progress({ direction: 'download', digest, bytes, total: size }),
    sink: {
      begin: () => {
        hash = createHash('sha256');
        received = 0;
        sink.begin();
      },
      write: (piece) => {
        hash.update(piece);
        received += piece.length;
        processedBytes(piece.length);
        return sink.write(piece);
      },
    },
    signal,
  });
  checkBlobAnswer(client, repository, descriptor, res, received, `sha256:${hash.digest('hex')}`);
}

/**
 * Downloads a blob into the file `path` as it arrives (see {@link fetchBlobInto}); a blob
 * that fails verification is removed.
 */
export async function fetchBlobToFile(
  client: RegistryClient,
  repository: string,
  descriptor: Descriptor,
  path: string,
  signal?: AbortSignal,
): Promise<void> {
  const fd = openSync(path, 'w', 0o600);
  let at = 0;
  let verified = false;
  try {
    await fetchBlobInto(
      client,
      repository,
      descriptor,
      {
        begin: () => {
          at = 0;
        },
        write: (piece) => {
          // Positioned writes: a retry starts again at 0 over the same file.
          for (let written = 0; written < piece.length;) {
            written += writeSync(fd, piece, written, piece.length - written, at + written);
          }
          at += piece.length;
        },
      },
      signal,
    );
    verified = true;
  } finally {
    closeSync(fd);
    if (!verified) rmSync(path, { force: true });
  }
}
