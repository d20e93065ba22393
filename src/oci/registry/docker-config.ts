import { existsSync, readFileSync } from 'node:fs';
import { homedir } from 'node:os';
import { join } from 'node:path';
import { UserError } from '../../errors.js';
import type { Credentials } from './credentials.js';

/** One `auths` entry of a Docker or Podman config file. */
interface AuthEntry {
  readonly auth?: string;
  readonly username?: string;
  readonly password?: string;
  readonly identitytoken?: string;
  readonly registrytoken?: string;
}

interface DockerConfig {
  readonly auths?: Readonly<Record<string, AuthEntry>>;
  readonly credHelpers?: Readonly<Record<string, string>>;
  readonly credsStore?: string;
}

/** The key Docker files Docker Hub logins under. */
const DOCKER_HUB_KEY = 'https://index.docker.io/v1/';

/**
 * The config file to read credentials from, in go-containerregistry's order (the default
 * keychain of the Flux CLI): when `~/.docker/config.json` or `$DOCKER_CONFIG/config.json`
 * exists, Docker's file (the one in `$DOCKER_CONFIG` when that is set, as Docker's own
 * loader does); otherwise Podman's `$REGISTRY_AUTH_FILE`, then
 * `$XDG_RUNTIME_DIR/containers/auth.json`.
 */
export function findAuthConfigFile(env: NodeJS.ProcessEnv = process.env): string | undefined {
  const home = env.HOME || homedir();
  const homeConfig = join(home, '.docker', 'config.json');
  const dockerConfigDir = env.DOCKER_CONFIG;
  const envConfig = dockerConfigDir ? join(dockerConfigDir, 'config.json') : undefined;
  if (existsSync(homeConfig) || (envConfig && existsSync(envConfig))) {
    return envConfig ?? homeConfig;
  }
  if (env.REGISTRY_AUTH_FILE && existsSync(env.REGISTRY_AUTH_FILE)) return env.REGISTRY_AUTH_FILE;
  if (env.XDG_RUNTIME_DIR) {
    const podman = join(env.XDG_RUNTIME_DIR, 'containers', 'auth.json');
    if (existsSync(podman)) return podman;
  }
  return undefined;
}

/**
 * Credentials for `registry/repository` from the Docker/Podman config file: the
 * repository key first, then the registry (as go-containerregistry asks); a credential
 * helper named in `credHelpers` or `credsStore` is asked with the server on stdin.
 * Undefined when nothing is configured (anonymous).
 */
export async function credentialsFromConfig(
  registry: string,
  repository: string | undefined,
  env: NodeJS.ProcessEnv = process.env,
): Promise<Credentials | undefined> {
  const file = findAuthConfigFile(env);
  if (!file) return undefined;
  let config: DockerConfig;
  try {
    const text = readFileSync(file, 'utf8');
    config = text.trim() === '' ? {} : (JSON.parse(text) as DockerConfig);
  } catch (err) {
    throw new UserError(`cannot read the registry auth file '${file}': ${(err as Error).message}`);
  }
  const registryKey = registry === 'index.docker.io' ? DOCKER_HUB_KEY : registry;
  const keys = repository ? [`${registry}/${repository}`, registryKey] : [registryKey];
  for (const key of keys) {
    const helper =
      config.credHelpers?.[key] ?? config.credHelpers?.[hostnameOf(key)] ?? config.credsStore;
    const found = helper
      ? await credentialsFromHelper(helper, key, file, env)
      : credentialsFromEntry(findEntry(config, key));
    if (found) return found;
  }
  return undefined;
}

/** The `auths` entry stored under `key`, else under any key naming the same host. */
function findEntry(config: DockerConfig, key: string): AuthEntry | undefined {
  const auths = config.auths ?? {};
  if (auths[key]) return auths[key];
  const host = hostnameOf(key);
  for (const [name, entry] of Object.entries(auths)) {
    if (hostnameOf(name) === host) return entry;
  }
  return undefined;
}

/** Docker's ConvertToHostname: drop the scheme and everything after the first `/`. */
function hostnameOf(key: string): string {
  return key.replace(/^https?:\/\//, '').split('/')[0];
}

function credentialsFromEntry(entry: AuthEntry | undefined): Credentials | undefined {
  if (!entry) return undefined;
  if (entry.identitytoken) return { identityToken: entry.identitytoken };
  if (entry.registrytoken) return { registryToken: entry.registrytoken };
  if (entry.auth) {
    const decoded = Buffer.from(entry.auth, 'base64').toString('utf8');
    const colon = decoded.indexOf(':');
    if (colon > 0) return { username: decoded.slice(0, colon), password: decoded.slice(colon + 1) };
  }
  if (entry.username && entry.password !== undefined) {
    return { username: entry.username, password: entry.password };
  }
  return undefined;
}

/**
 * Runs `docker-credential-<helper> get` with the server address on stdin (never in the
 * argument list, where other users could read it). "Not found" answers mean anonymous.
 */
async function credentialsFromHelper(
  helper: string,
  server: string,
  file: string,
  env: NodeJS.ProcessEnv,
): Promise<Credentials | undefined> {
  const program = `docker-credential-${helper}`;
  // Loaded here: most pushes and pulls never run a helper.
  const { spawn } = await import('node:child_process');
  const { code, stdout, stderr } = await new Promise<{
    code: number;
    stdout: string;
    stderr: string;
  }>((resolve, reject) => {
    const child = spawn(program, ['get'], {
      stdio: ['pipe', 'pipe', 'pipe'],
      env,
      timeout: 30_000,
    });
    let out = '';
    let err = '';
    child.stdout.on('data', (d: Buffer) => (out += d.toString()));
    child.stderr.on('data', (d: Buffer) => (err += d.toString()));
    child.on('error', (e: NodeJS.ErrnoException) =>
      reject(
        e.code === 'ENOENT'
          ? new UserError(
              `credential helper '${program}' named in '${file}' is not installed or not on PATH`,
            )
          : e,
      ),
    );
    child.on('close', (c) => resolve({ code: c ?? 1, stdout: out, stderr: err }));
    child.stdin.end(server);
  });
  if (code !== 0) {
    const message = (stdout.trim() || stderr.trim()).split('\n')[0];
    if (/credentials not found/i.test(message)) return undefined;
    throw new UserError(`credential helper '${program}' failed for ${server}: ${message}`);
  }
  let answer: { Username?: string; Secret?: string };
  try {
    answer = JSON.parse(stdout) as { Username?: string; Secret?: string };
  } catch {
    throw new UserError(`credential helper '${program}' answered something that is not JSON`);
  }
  if (!answer.Secret) return undefined;
  // Docker's convention: the user name `<token>` marks an identity (refresh) token.
  if (answer.Username === '<token>') return { identityToken: answer.Secret };
  return { username: answer.Username ?? '', password: answer.Secret };
}
