import { UserError } from '../../errors.js';
import { RegistryClient } from './client.js';
import type { RegistryClientOptions } from './client-options.js';
import { parseOciReference, type OciReference } from '../reference.js';

/** Options every operation takes: the client's, or a client to reuse. */
export interface OperationOptions extends RegistryClientOptions {
  /**
   * A client for the reference's registry to reuse (its connections and tokens); its own
   * options apply and the operation leaves it open.
   * @default a new client with these options, closed when the operation ends
   */
  readonly client?: RegistryClient;
}

/** Parses string references (`oci://...`); a parsed one is returned as is. */
export function toReference(
  reference: OciReference | string,
  defaultTag: string | undefined = 'latest',
): OciReference {
  return typeof reference === 'string'
    ? parseOciReference(reference, { defaultTag: defaultTag ?? false })
    : reference;
}

/** Runs `fn` with the given client, or with a new one that is closed afterwards. */
export async function withClient<T>(
  registry: string,
  options: OperationOptions,
  fn: (client: RegistryClient) => Promise<T>,
): Promise<T> {
  if (options.client) {
    if (options.client.registry !== registry) {
      throw new UserError(
        `the client given is for registry ${options.client.registry}, not ${registry}`,
      );
    }
    return fn(options.client);
  }
  const client = new RegistryClient(registry, options);
  try {
    return await fn(client);
  } finally {
    await client.close();
  }
}

/** Runs `fn` in parallel over `items`, at most `limit` at a time. */
export async function forEachLimited<T>(
  items: readonly T[],
  limit: number,
  fn: (item: T) => Promise<void>,
): Promise<void> {
  let next = 0;
  const worker = async (): Promise<void> => {
    while (next < items.length) await fn(items[next++]);
  };
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, worker));
}
