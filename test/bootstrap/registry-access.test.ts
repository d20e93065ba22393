// Which credentials each registry call of the bootstrap uses (RFC story 1: separate users for
// the components and the fleet artifacts), and where a missing password is asked for.
import {
  clusterRegistryAccess,
  componentsRegistryAccess,
  requirePassword,
} from '../../src/bootstrap/registry-access.js';
import type { BootstrapOciOptions } from '../../src/bootstrap/options/options.js';
import { resolveBootstrapOptions } from '../../src/bootstrap/options/resolve-options.js';
import { UserError } from '../../src/errors.js';

const components = 'oci://components.example/flux/components:production';
const fleet = 'oci://fleet.example/fleet/cluster:production';

const resolve = (options: Partial<BootstrapOciOptions>) =>
  resolveBootstrapOptions({ url: components, ...options } as BootstrapOciOptions);

function thrown(fn: () => unknown): Error {
  try {
    fn();
  } catch (err) {
    return err as Error;
  }
  throw new Error('expected an error, got none');
}

describe('componentsRegistryAccess', () => {
  test('the components user with the password given, no auth file', () => {
    const access = componentsRegistryAccess(
      resolve({ username: 'flux', password: 'components-pw', caFile: '/ca.pem', timeout: '2m' }),
      {},
    );
    expect(access).toEqual({
      credentials: { username: 'flux', password: 'components-pw' },
      useAuthFile: false,
      caFile: '/ca.pem',
      allowInsecureHttp: false,
      timeoutMs: 120_000,
      provider: 'generic',
    });
  });

  test("a cloud provider: the runner's cloud identity logs in to both registries (RFC story 2)", () => {
    const options = resolve({
      url: 'oci://123456789012.dkr.ecr.eu-west-1.amazonaws.com/flux/components:production',
      clusterUrl: 'oci://123456789012.dkr.ecr.eu-west-1.amazonaws.com/fleet/cluster:production',
      provider: 'aws',
    });
    expect(componentsRegistryAccess(options, {})).toMatchObject({
      provider: 'aws',
      credentials: undefined,
    });
    expect(clusterRegistryAccess(options, true, {})).toMatchObject({
      provider: 'aws',
      credentials: undefined,
    });
  });

  test('the password from OCI_PASSWORD when none is given', () => {
    const access = componentsRegistryAccess(resolve({ username: 'flux' }), {
      OCI_PASSWORD: 'from-env',
      OCI_CLUSTER_PASSWORD: 'not-this-one',
    });
    expect(access.credentials).toEqual({ username: 'flux', password: 'from-env' });
  });

  test('no user: anonymous, or the docker auth file', () => {
    const access = componentsRegistryAccess(resolve({}), { OCI_PASSWORD: 'unused' });
    expect(access.credentials).toBeUndefined();
    expect(access.useAuthFile).toBe(true);
  });

  test('a user without a password names the variable and --password-stdin', () => {
    const error = thrown(() => componentsRegistryAccess(resolve({ username: 'flux' }), {}));
    expect(error).toBeInstanceOf(UserError);
    expect(error.message).toBe(
      "no password for --username (username) 'flux': set OCI_PASSWORD or pipe it to --password-stdin",
    );
  });
});

describe('clusterRegistryAccess', () => {
  const twoUsers = {
    username: 'flux',
    password: 'components-pw',
    clusterUrl: fleet,
    clusterPath: 'production',
    clusterUsername: 'fleet-reader',
  };

  test('the fleet user with its own password, never the components one', () => {
    for (const sameRegistry of [true, false]) {
      const access = clusterRegistryAccess(
        resolve({ ...twoUsers, clusterPassword: 'fleet-pw' }),
        sameRegistry,
        { OCI_PASSWORD: 'components-env' },
      );
      expect(access.credentials).toEqual({ username: 'fleet-reader', password: 'fleet-pw' });
      expect(access.useAuthFile).toBe(false);
    }
  });

  test('the fleet password from OCI_CLUSTER_PASSWORD, not OCI_PASSWORD', () => {
    const access = clusterRegistryAccess(resolve(twoUsers), false, {
      OCI_PASSWORD: 'components-env',
      OCI_CLUSTER_PASSWORD: 'fleet-env',
    });
    expect(access.credentials).toEqual({ username: 'fleet-reader', password: 'fleet-env' });
  });

  test('a fleet user without a password names OCI_CLUSTER_PASSWORD', () => {
    const error = thrown(() =>
      clusterRegistryAccess(resolve(twoUsers), false, { OCI_PASSWORD: 'components-env' }),
    );
    expect(error).toBeInstanceOf(UserError);
    expect(error.message).toBe(
      "no password for --cluster-username (clusterUsername) 'fleet-reader': set OCI_CLUSTER_PASSWORD",
    );
  });

  test('no fleet user, same registry: the components credentials', () => {
    const options = resolve({
      username: 'flux',
      password: 'components-pw',
      clusterUrl: fleet,
      clusterPath: 'production',
    });
    expect(clusterRegistryAccess(options, true, {}).credentials).toEqual({
      username: 'flux',
      password: 'components-pw',
    });
  });

  test('no fleet user, another registry: no credentials go there', () => {
    const options = resolve({
      username: 'flux',
      password: 'components-pw',
      clusterUrl: fleet,
      clusterPath: 'production',
    });
    const access = clusterRegistryAccess(options, false, { OCI_PASSWORD: 'components-env' });
    expect(access.credentials).toBeUndefined();
    expect(access.useAuthFile).toBe(true);
  });
});

describe('requirePassword', () => {
  test('returns the password, refuses an empty one', () => {
    expect(requirePassword('flux', 'pw', 'password')).toBe('pw');
    expect(() => requirePassword('flux', '', 'password')).toThrow(/set OCI_PASSWORD/);
  });
});
