import { jest } from '@jest/globals';
import { UserError } from '../../../src/errors.js';
import {
  listArtifacts,
  pullArtifact,
  pushArtifact,
  RegistryResponseError,
} from '../../../src/oci/registry/index.js';
import { fluxArtifact } from '../../support/artifacts.js';
import { startRegistry, type TestRegistry } from '../../support/registry.js';

// A real registry is started for this file: allow for a busy machine.
jest.setTimeout(60_000);

/** The error `promise` rejects with. */
async function rejection(promise: Promise<unknown>): Promise<unknown> {
  return promise.then(
    () => {
      throw new Error('expected a rejection');
    },
    (err: unknown) => err,
  );
}

describe('RegistryResponseError: a library caller tells the registry answers apart', () => {
  const user = { username: 'flux', password: 'right-password' };
  const access = { credentials: user, useAuthFile: false, allowInsecureHttp: true, retries: 0 };
  let registry: TestRegistry;

  beforeAll(async () => {
    registry = await startRegistry({ htpasswd: user });
    await pushArtifact(`oci://${registry.host}/errors/app:v1`, fluxArtifact({ 'a.yaml': 'a\n' }), {
      ...access,
    });
  });
  afterAll(async () => {
    await registry?.stop();
  });

  it('a missing tag: status 404 and the registry code MANIFEST_UNKNOWN, the same message', async () => {
    const err = await rejection(pullArtifact(`oci://${registry.host}/errors/app:v2`, access));
    expect(err).toBeInstanceOf(RegistryResponseError);
    expect(err).toBeInstanceOf(UserError);
    expect(err).toMatchObject({ status: 404, code: 'MANIFEST_UNKNOWN' });
    expect((err as Error).message).toBe(
      `artifact ${registry.host}/errors/app:v2 not found: check the repository and tag`,
    );
  });

  it('a wrong password: status 401, the message the CLI prints', async () => {
    const err = await rejection(
      pullArtifact(`oci://${registry.host}/errors/app:v1`, {
        ...access,
        credentials: { username: 'flux', password: 'wrong' },
      }),
    );
    expect(err).toBeInstanceOf(RegistryResponseError);
    expect(err).toMatchObject({ status: 401 });
    expect((err as Error).message).toMatch(
      /^registry \S+ rejected the credentials for user 'flux' \(401\): check the user name and password/,
    );
  });

  it('no credentials at all: status 401 with the registry code UNAUTHORIZED', async () => {
    const err = await rejection(
      listArtifacts(`oci://${registry.host}/errors/app`, { ...access, credentials: undefined }),
    );
    expect(err).toBeInstanceOf(RegistryResponseError);
    expect(err).toMatchObject({ status: 401, code: 'UNAUTHORIZED' });
    expect((err as Error).message).toMatch(/requires authentication \(401\)/);
  });
});
