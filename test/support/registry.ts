import { spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { get as httpGet } from 'node:http';
import { get as httpsGet } from 'node:https';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { freePort, isPortTaken } from './ports.js';
import { generateCertificates, generateSigningKey, type TestCa } from './pki.js';
import { startTokenServer, type TokenServer } from './token-server.js';

/** User name and password of the one user a test registry accepts. */
export interface TestUser {
  readonly username: string;
  readonly password: string;
}

/** How to start a test registry; every option is off by default (plain HTTP, anonymous). */
export interface RegistryOptions {
  /**
   * Serve HTTPS with a certificate signed by a CA generated for this registry (`caFile`).
   * @default false
   */
  readonly tls?: boolean;
  /**
   * With `tls`: host names the certificate names besides 127.0.0.1 and localhost (a name
   * only a test proxy resolves, say).
   * @default none
   */
  readonly dnsNames?: readonly string[];
  /**
   * Require this user: with basic auth (an htpasswd file), or, with `tokenAuth`, at the
   * token server that exchanges basic credentials for tokens.
   * @default anonymous access
   */
  readonly htpasswd?: TestUser;
  /**
   * Bearer token auth: the registry sends clients to a token server started alongside it
   * (realm/service/scope challenge, ES256 JWTs checked against its rootcertbundle).
   * @default false
   */
  readonly tokenAuth?: boolean;
  /** With `tokenAuth`: issue the first tokens already expired (see TokenServerOptions). @default 0 */
  readonly expiredTokens?: number;
  /** With `tokenAuth`: a refresh token (docker config `identitytoken`) the token server accepts. @default none */
  readonly refreshToken?: string;
  /**
   * Bearer token auth with a token server the test runs itself: the registry challenges
   * with this realm and service and trusts tokens signed by the key of `certFile`.
   * @default none
   */
  readonly tokenRealm?: {
    readonly realm: string;
    readonly service: string;
    readonly issuer: string;
    readonly certFile: string;
  };
  /**
   * With `tls`: sign the registry's certificate with this CA rather than one of its own, so
   * one CA file trusts several registries (as one company CA does).
   * @default a CA generated for this registry
   */
  readonly ca?: TestCa;
}

/** A running CNCF distribution registry on 127.0.0.1. */
export interface TestRegistry {
  /** `127.0.0.1:<port>`: what goes into `oci://<host>/<repo>`. */
  readonly host: string;
  /** `http://127.0.0.1:<port>` or `https://...`. */
  readonly url: string;
  /** The CA that signed the registry's certificate (only with `tls`). */
  readonly caFile?: string;
  /** The token server (only with `tokenAuth`): its `requests` show each token fetch. */
  readonly tokenServer?: TokenServer;
  /** The registry's own log so far (stderr), for failure messages. */
  log(): string;
  /**
   * Gives the htpasswd user a new password (only with `htpasswd` and no `tokenAuth`): the
   * registry reloads the file, so the old password stops working, as a rotation does.
   */
  setPassword(password: string): Promise<void>;
  /** Stops the registry (and its token server) and deletes its storage. */
  stop(): Promise<void>;
}

/**
 * Starts `docker-registry` (CNCF distribution 2.8, from Debian) with throwaway storage on
 * a free 127.0.0.1 port and waits until it answers `/v2/` as a registry does. Always
 * `stop()` it, in a `finally` or `afterAll`.
 */
export async function startRegistry(options: RegistryOptions = {}): Promise<TestRegistry> {
  const dir = await mkdtemp(join(tmpdir(), 'flux-oci-registry-'));
  let tokenServer: TokenServer | undefined;
  let htpasswdFile: string | undefined;
  try {
    // Everything that takes time comes before the port is chosen: the port is free when
    // asked for, and another process may take it before the registry binds it.
    let tls: { certificate: string; key: string } | undefined;
    let caFile: string | undefined;
    if (options.tls) {
      const certs = await generateCertificates(dir, options.ca, options.dnsNames);
      tls = { certificate: certs.certFile, key: certs.keyFile };
      caFile = certs.caFile;
    }
    let auth: Record<string, unknown> | undefined;
    if (options.tokenRealm) {
      const { realm, service, issuer, certFile } = options.tokenRealm;
      auth = { token: { realm, service, issuer, rootcertbundle: certFile } };
    } else if (options.tokenAuth) {
      const signing = await generateSigningKey(dir);
      const service = 'flux-oci-test-registry';
      const issuer = 'flux-oci-test-issuer';
      tokenServer = await startTokenServer({
        service,
        issuer,
        keyFile: signing.keyFile,
        certFile: signing.certFile,
        credentials: options.htpasswd,
        expiredTokens: options.expiredTokens,
        refreshToken: options.refreshToken,
      });
      auth = {
        token: { realm: tokenServer.realm, service, issuer, rootcertbundle: signing.certFile },
      };
    } else if (options.htpasswd) {
      const path = join(dir, 'htpasswd');
      htpasswdFile = path;
      await writeHtpasswd(path, options.htpasswd);
      auth = { htpasswd: { realm: 'flux-oci-test', path } };
    }

    let started: StartedRegistry | undefined;
    for (let attempt = 1; !started; attempt++) {
      const port = await freePort();
      try {
        started = await serve(dir, port, { tls, auth, caFile });
      } catch (err) {
        // Another process took the port between freePort() and the registry's bind.
        if (!(err instanceof PortTakenError) || attempt >= 5) throw err;
      }
    }
    const { host, stop: stopRegistry } = started;
    const stop = async (): Promise<void> => {
      await stopRegistry();
      await tokenServer?.stop();
      await rm(dir, { recursive: true, force: true });
    };
    return {
      host,
      url: `${options.tls ? 'https' : 'http'}://${host}`,
      caFile,
      tokenServer,
      log: started.log,
      setPassword: async (password: string) => {
        if (!htpasswdFile || !options.htpasswd) {
          throw new Error('setPassword needs a registry started with htpasswd (and no token auth)');
        }
        await writeHtpasswd(htpasswdFile, { username: options.htpasswd.username, password });
      },
      stop,
    };
  } catch (err) {
    await tokenServer?.stop();
    await rm(dir, { recursive: true, force: true });
    throw err;
  }
}

/** The registry exited because its port was taken: start it again on another one. */
class PortTakenError extends Error {}

interface StartedRegistry {
  host: string;
  log(): string;
  stop(): Promise<void>;
}

/** Runs `docker-registry` on `port` and waits until it answers `/v2/`. */
async function serve(
  dir: string,
  port: number,
  settings: {
    tls?: { certificate: string; key: string };
    auth?: Record<string, unknown>;
    caFile?: string;
  },
): Promise<StartedRegistry> {
  const host = `127.0.0.1:${port}`;
  const config = {
    version: 0.1,
    log: { level: 'warn', accesslog: { disabled: true } },
    storage: { filesystem: { rootdirectory: join(dir, 'storage') }, delete: { enabled: true } },
    http: {
      addr: host,
      secret: randomBytes(16).toString('hex'),
      ...(settings.tls ? { tls: settings.tls } : {}),
    },
    ...(settings.auth ? { auth: settings.auth } : {}),
  };
  // JSON is YAML, so the registry reads it as its config file.
  const configFile = join(dir, 'config.yml');
  await writeFile(configFile, JSON.stringify(config, null, 2));

  // A shell watchdog: the registry is killed, and `dir` deleted, when our stdin pipe closes,
  // by stop() or because this process died (a killed run leaves nothing). A registry that
  // exited on its own (its port was taken) leaves `dir` for the next attempt.
  const watchdog = [
    'exec 3<&0',
    'docker-registry serve "$1" 3<&- </dev/null &',
    'registry=$!',
    '(read _ <&3; if kill $registry 2>/dev/null; then',
    '  while kill -0 $registry 2>/dev/null; do sleep 0.1; done; rm -rf "$2"',
    'fi) &',
    'wait $registry',
  ].join('\n');
  const child = spawn('sh', ['-c', watchdog, 'sh', configFile, dir], {
    stdio: ['pipe', 'pipe', 'pipe'],
  });
  let log = '';
  child.stdout.on('data', (d: Buffer) => (log += d.toString()));
  child.stderr.on('data', (d: Buffer) => (log += d.toString()));
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  let running = true;
  void exited.then(() => (running = false));

  const stop = async (): Promise<void> => {
    child.stdin.end();
    if (running) {
      const timer = setTimeout(() => child.kill('SIGKILL'), 5000);
      await exited;
      clearTimeout(timer);
    }
  };

  try {
    await waitForRegistry(`${settings.tls ? 'https' : 'http'}://${host}`, settings.caFile, {
      running: () => running,
      log: () => log,
    });
  } catch (err) {
    await stop();
    throw err;
  }
  return { host, log: () => log, stop };
}
async function writeHtpasswd(path: string, user: TestUser): Promise<void> {
  // distribution accepts bcrypt entries only; the password goes through stdin (-i).
  const line = await new Promise<string>((resolve, reject) => {
    const child = spawn('htpasswd', ['-Bin', user.username], { stdio: ['pipe', 'pipe', 'pipe'] });
    let out = '';
    let err = '';
    child.stdout.on('data', (d: Buffer) => (out += d.toString()));
    child.stderr.on('data', (d: Buffer) => (err += d.toString()));
    child.on('error', reject);
    child.on('exit', (code) =>
      code === 0 ? resolve(out) : reject(new Error(`htpasswd failed: ${err}`)),
    );
    child.stdin.end(user.password);
  });
  await writeFile(path, line);
}

/**
 * Waits until `GET /v2/` is answered by a distribution registry: 200, or 401 with a
 * challenge, and the `Docker-Distribution-Api-Version: registry/2.0` header. Any other
 * listener on the port (a connect alone would satisfy) does not count.
 */
async function waitForRegistry(
  url: string,
  caFile: string | undefined,
  proc: { running: () => boolean; log: () => string },
): Promise<void> {
  const deadline = Date.now() + 30_000;
  const ca = caFile ? await readFile(caFile) : undefined;
  let last = 'no answer yet';
  while (Date.now() < deadline) {
    if (!proc.running()) {
      const log = proc.log();
      if (isPortTaken(log)) throw new PortTakenError(log);
      throw new Error(`docker-registry exited while starting:\n${log}`);
    }
    const answer = await v2Answer(url, ca).catch((err: Error) => err.message);
    if (typeof answer !== 'string') {
      const api = answer.headers['docker-distribution-api-version'];
      if ((answer.status === 200 || answer.status === 401) && api === 'registry/2.0') return;
      last = `HTTP ${answer.status}, Docker-Distribution-Api-Version: ${String(api)}`;
    } else {
      last = answer;
    }
    await new Promise((r) => setTimeout(r, 50));
  }
  throw new Error(
    `docker-registry did not answer ${url}/v2/ within 30s (last: ${last}):\n${proc.log()}`,
  );
}

function v2Answer(
  url: string,
  ca: Buffer | undefined,
): Promise<{ status: number; headers: Record<string, string | string[] | undefined> }> {
  return new Promise((resolve, reject) => {
    const get = url.startsWith('https:') ? httpsGet : httpGet;
    const req = get(`${url}/v2/`, { ca, timeout: 2000 }, (res) => {
      res.resume();
      resolve({ status: res.statusCode ?? 0, headers: res.headers });
    });
    req.on('timeout', () => req.destroy(new Error('no answer within 2s')));
    req.on('error', reject);
  });
}
