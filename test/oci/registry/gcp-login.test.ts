// The Google login against a GCE metadata server (a fake on loopback: no real one can be had
// here) leaves google-auth-library's process-wide gaxios as the process set it, and the
// private field it reaches into for the federated token exchange is where it expects it.
import {
  Agent,
  createServer,
  type IncomingMessage,
  type Server,
  type ServerResponse,
} from 'node:http';
import type { AddressInfo } from 'node:net';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ExternalAccountClient, gaxios } from 'google-auth-library';
import {
  CloudLogin,
  clearCloudLogins,
  type PostForm,
} from '../../../src/oci/registry/auth/cloud-login.js';
import { gcpLogin, useAgentForTokenExchange } from '../../../src/oci/registry/auth/gcp-login.js';

const REGISTRY = 'europe-west1-docker.pkg.dev';
const postForm: PostForm = () => Promise.reject(new Error('no registry call for a Google login'));

/** A deferred the test opens. */
function gate(): { promise: Promise<void>; open: () => void } {
  let open!: () => void;
  const promise = new Promise<void>((done) => (open = done));
  return { promise, open };
}

let server: Server;
/** Token request i is answered once `answer[i]` opens; `arrived[i]` opens when it comes in. */
let answer: ReturnType<typeof gate>[];
let arrived: ReturnType<typeof gate>[];
let tokenRequests = 0;
const savedEnv = { ...process.env };

function metadataServer(req: IncomingMessage, res: ServerResponse): void {
  const flavor = { 'metadata-flavor': 'Google' };
  const path = new URL(req.url ?? '/', 'http://metadata').pathname;
  if (req.headers['metadata-flavor'] !== 'Google') {
    res.writeHead(403, flavor).end();
  } else if (path === '/computeMetadata/v1/instance/service-accounts/default/token') {
    const i = tokenRequests++;
    arrived[i].open();
    void answer[i].promise.then(() =>
      res.writeHead(200, { ...flavor, 'content-type': 'application/json' }).end(
        JSON.stringify({
          access_token: `ya29.token-${i}`,
          expires_in: 3599,
          token_type: 'Bearer',
        }),
      ),
    );
  } else if (path === '/computeMetadata/v1/instance') {
    res.writeHead(200, flavor).end('attributes/\n');
  } else {
    res.writeHead(404, flavor).end();
  }
}

beforeAll(async () => {
  server = createServer(metadataServer);
  await new Promise<void>((done) => server.listen(0, '127.0.0.1', done));
  const home = mkdtempSync(join(tmpdir(), 'gcp-login-'));
  // A Google Cloud machine: no credentials file, the metadata server on loopback, no proxy.
  for (const name of Object.keys(process.env)) {
    if (/^(GOOGLE_|GCE_|METADATA_SERVER|CLOUDSDK_|https?_proxy$|no_proxy$)/i.test(name)) {
      delete process.env[name];
    }
  }
  process.env.HOME = home;
  process.env.CLOUDSDK_CONFIG = join(home, 'gcloud');
  process.env.GCE_METADATA_HOST = `127.0.0.1:${(server.address() as AddressInfo).port}`;
});

beforeEach(() => {
  answer = Array.from({ length: 4 }, gate);
  arrived = Array.from({ length: 4 }, gate);
  tokenRequests = 0;
  clearCloudLogins();
});

afterEach(() => {
  gaxios.instance.defaults.agent = undefined;
});

afterAll(async () => {
  process.env = savedEnv;
  clearCloudLogins();
  await new Promise((done) => server?.close(done));
});

test("an agent the process gives gaxios's shared instance during a login is the one it has after", async () => {
  const login = new CloudLogin(gcpLogin(REGISTRY));
  const pending = login.credentials(postForm);
  await arrived[0].promise;
  const callers = new Agent();
  gaxios.instance.defaults.agent = callers;
  answer[0].open();
  expect(await pending).toEqual({ username: 'oauth2accesstoken', password: 'ya29.token-0' });
  await login.close();
  expect(gaxios.instance.defaults.agent).toBe(callers);
  callers.destroy();
});

test("two logins overlapping leave gaxios's shared instance with no agent after close(), as before", async () => {
  expect(gaxios.instance.defaults.agent).toBeUndefined();
  const login = new CloudLogin(gcpLogin(REGISTRY));
  const first = login.credentials(postForm);
  await arrived[0].promise;
  // A second login while the first is under way (the cache forgotten, as a renewal does).
  clearCloudLogins();
  const second = login.credentials(postForm);
  // Logins that share the agent one at a time send the second request only after the first
  // login ended; logins that overlap send it now.
  const secondFirst = await Promise.race([
    arrived[1].promise.then(() => true),
    new Promise<boolean>((done) => setTimeout(() => done(false), 1000)),
  ]);
  answer[0].open();
  await first;
  answer[1].open();
  expect(await second).toEqual({ username: 'oauth2accesstoken', password: 'ya29.token-1' });
  await login.close();
  expect({ secondFirst, agentLeft: gaxios.instance.defaults.agent !== undefined }).toEqual({
    secondFirst: false,
    agentLeft: false,
  });
});

test('the federated token exchange of google-auth-library keeps its own gaxios where the login gives it the agent (private `stsCredential`)', () => {
  const client = ExternalAccountClient.fromJSON({
    type: 'external_account',
    audience:
      '//iam.googleapis.com/projects/1/locations/global/workloadIdentityPools/ci/providers/github',
    subject_token_type: 'urn:ietf:params:oauth:token-type:jwt',
    token_url: 'https://sts.googleapis.com/v1/token',
    credential_source: { file: '/nonexistent/token' },
  });
  expect(client).not.toBeNull();
  const exchange = (client as unknown as { stsCredential?: { transporter?: unknown } })
    .stsCredential?.transporter;
  // A release that moves or renames it fails here, instead of proxying by gaxios's env rules.
  expect(exchange).toBeInstanceOf(gaxios.Gaxios);
  const agent = new Agent();
  useAgentForTokenExchange(client!, agent);
  expect((exchange as InstanceType<typeof gaxios.Gaxios>).defaults.agent).toBe(agent);
  expect(client!.transporter).not.toBe(exchange);
  agent.destroy();
});
