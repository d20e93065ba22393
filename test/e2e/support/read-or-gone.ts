// "Gone" means the API server answered 404 for it: any other failure (a refused connection,
// a 403, a timeout) is an error, not proof that an object was deleted.
import { ApiException } from '@kubernetes/client-node';

/** The object read, or undefined when the API server answers 404; other errors throw. */
export async function readOrGone<T>(read: () => Promise<T>): Promise<T | undefined> {
  try {
    return await read();
  } catch (err) {
    if (err instanceof ApiException && err.code === 404) return undefined;
    throw err;
  }
}
