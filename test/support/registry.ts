import { spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { connect } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { freePort } from './ports.js';
import { generateCertificates, generateSigningKey } from './tls.js';
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
 * a free 127.0.0.1 port and waits until it accepts connections. Always `stop()` it, in a
 * `finally` or `afterAll`.
 */
export async function startRegistry(options: RegistryOptions = {}): Promise<TestRegistry> {
  const dir = await mkdtemp(join(tmpdir(), 'flux-oci-registry-'));
  let tokenServer: TokenServer | undefined;
  let htpasswdFile: string | undefined;
  try {
    const port = await freePort();
    const host = `127.0.0.1:${port}`;
    const http: Record<string, unknown> = {
      addr: host,
      secret: randomBytes(16).toString('hex'),
    };
    let caFile: string | undefined;
    if (options.tls) {
      const certs = await generateCertificates(dir);
      http.tls = { certificate: certs.certFile, key: certs.keyFile };
      caFile = certs.caFile;
    }
    let auth: Record<string, unknown> | undefined;
    if (options.tokenAuth) {
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
    const config = {
      version: 0.1,
      log: { level: 'warn', accesslog: { disabled: true } },
      storage: { filesystem: { rootdirectory: join(dir, 'storage') }, delete: { enabled: true } },
      http,
      ...(auth ? { auth } : {}),
    };
    // JSON is YAML, so the registry reads it as its config file.
    const configFile = join(dir, 'config.yml');
    await writeFile(configFile, JSON.stringify(config, null, 2));

    // A shell watchdog: the registry is killed, and its storage deleted, when our stdin
    // pipe closes, by stop() or because this process died (a killed run leaves nothing).
    const watchdog = [
      'exec 3<&0',
      'docker-registry serve "$1" 3<&- </dev/null &',
      'registry=$!',
      '(read _ <&3; kill $registry 2>/dev/null) &',
      'wait $registry',
      'rm -rf "$2"',
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
      await tokenServer?.stop();
      await rm(dir, { recursive: true, force: true });
    };

    try {
      await waitForPort(
        port,
        () => running,
        () => log,
      );
    } catch (err) {
      await stop();
      throw err;
    }
    return {
      host,
      url: `${options.tls ? 'https' : 'http'}://${host}`,
      caFile,
      tokenServer,
      log: () => log,
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

async function waitForPort(port: number, running: () => boolean, log: () => string): Promise<void> {
  const deadline = Date.now() + 15_000;
  while (Date.now() < deadline) {
    if (!running()) throw new Error(`docker-registry exited while starting:\n${log()}`);
    const open = await new Promise<boolean>((resolve) => {
      const socket = connect(port, '127.0.0.1');
      socket.once('connect', () => {
        socket.destroy();
        resolve(true);
      });
      socket.once('error', () => resolve(false));
    });
    if (open) return;
    await new Promise((r) => setTimeout(r, 50));
  }
  throw new Error(`docker-registry did not listen on 127.0.0.1:${port} within 15s:\n${log()}`);
}
