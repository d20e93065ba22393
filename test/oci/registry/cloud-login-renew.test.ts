// Renewing a cloud login the registry refused: requests refused together (a blob and a
// config upload with the same expired token) share one new login.
import {
  CloudLogin,
  clearCloudLogins,
  type CloudLoginMethod,
  type PostForm,
} from '../../../src/oci/registry/auth/cloud-login.js';

const postForm: PostForm = () => Promise.reject(new Error('no registry call in this test'));

afterEach(() => clearCloudLogins());

test('N requests refused together with the same credentials cause one token fetch, and a later refusal another', async () => {
  const N = 6;
  let fetches = 0;
  let allRenewed!: () => void;
  const renewedGate = new Promise<void>((open) => (allRenewed = open));
  const method: CloudLoginMethod = {
    provider: 'gcp',
    registry: 'europe-west1-docker.pkg.dev',
    cacheKey: 'renew-test',
    identity: 'the test identity',
    permissionsHint: 'none',
    fetch: async () => {
      const n = ++fetches;
      // The new login is under way until every refused request has asked for a renewal.
      if (n === 2) await renewedGate;
      return {
        credentials: { username: 'oauth2accesstoken', password: `token-${n}` },
        expiresAt: Date.now() + 3_600_000,
      };
    },
  };
  const login = new CloudLogin(method);
  expect(await login.credentials(postForm)).toEqual({
    username: 'oauth2accesstoken',
    password: 'token-1',
  });

  let refused = 0;
  const request = async (): Promise<string> => {
    const sent = await login.credentials(postForm);
    expect(sent).toEqual({ username: 'oauth2accesstoken', password: 'token-1' });
    // The registry refuses token-1 (revoked early): renew, then ask again, as the client does.
    login.renew();
    if (++refused === N) allRenewed();
    const again = await login.credentials(postForm);
    return 'password' in again ? again.password : '';
  };
  const retried = await Promise.all(Array.from({ length: N }, request));

  expect(fetches).toBe(2);
  expect(retried).toEqual(Array<string>(N).fill('token-2'));

  // Refused again after the new login settled: that one is dropped, and fetched anew.
  login.renew();
  const third = await login.credentials(postForm);
  expect('password' in third && third.password).toBe('token-3');
  expect(fetches).toBe(3);
});
