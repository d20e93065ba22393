import { createHash, createPrivateKey, createPublicKey, randomUUID, sign } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

/** Options of the token server that a token-auth registry sends clients to. */
export interface TokenServerOptions {
  /** The registry's `auth.token.service`: the audience of every token. */
  readonly service: string;
  /** The registry's `auth.token.issuer`. */
  readonly issuer: string;
  /** PEM files of the EC P-256 key that signs tokens and its certificate (the registry's rootcertbundle). */
  readonly keyFile: string;
  readonly certFile: string;
  /**
   * The only user allowed to get a token; without it every request gets one (anonymous).
   * @default anonymous
   */
  readonly credentials?: { readonly username: string; readonly password: string };
  /**
   * Issue this many tokens already expired (an hour ago) while telling clients they last
   * 300 s: the registry refuses them, as it would revoked tokens (a refresh test).
   * @default 0
   */
  readonly expiredTokens?: number;
  /**
   * An OAuth2 refresh token (a docker config `identitytoken`) accepted by a POST with
   * `grant_type=refresh_token`, as well as the basic credentials on GET.
   * @default none
   */
  readonly refreshToken?: string;
}

/** A running token server: its realm URL, what it was asked, and how to stop it. */
export interface TokenServer {
  readonly realm: string;
  /** The scopes of every token request served so far (one entry per request). */
  readonly requests: string[][];
  /** The HTTP method of each request served (GET for basic, POST for OAuth2 grants). */
  readonly methods: string[];
  stop(): Promise<void>;
}

/**
 * Starts a Docker token server (distribution's "token" auth) on 127.0.0.1: checks basic
 * credentials and signs an ES256 JWT granting the requested scopes, identified by the
 * libtrust key id the registry derives from the certificate in its rootcertbundle.
 */
export async function startTokenServer(options: TokenServerOptions): Promise<TokenServer> {
  const privateKey = createPrivateKey(await readFile(options.keyFile));
  const kid = libtrustKeyId(
    createPublicKey(await readFile(options.certFile)).export({ type: 'spki', format: 'der' }),
  );
  const requests: string[][] = [];
  const methods: string[] = [];

  const handle = (req: IncomingMessage, res: ServerResponse, body: string): void => {
    const url = new URL(req.url ?? '/', 'http://127.0.0.1');
    const form = new URLSearchParams(req.method === 'POST' ? body : '');
    const allowed =
      req.method === 'POST'
        ? form.get('grant_type') === 'refresh_token' &&
          options.refreshToken !== undefined &&
          form.get('refresh_token') === options.refreshToken
        : !options.credentials || hasCredentials(req, options.credentials);
    if (!allowed) {
      res.writeHead(401, { 'Content-Type': 'application/json' });
      res.end(JSON.stringify({ errors: [{ code: 'UNAUTHORIZED', message: 'bad credentials' }] }));
      return;
    }
    const scopes = req.method === 'POST' ? form.getAll('scope') : url.searchParams.getAll('scope');
    requests.push(scopes);
    methods.push(req.method ?? 'GET');
    const expired = requests.length <= (options.expiredTokens ?? 0);
    const now = Math.floor(Date.now() / 1000) - (expired ? 7200 : 0);
    const claims = {
      iss: options.issuer,
      sub: options.credentials?.username ?? '',
      aud: options.service,
      exp: now + 300,
      nbf: now - 10,
      iat: now,
      jti: randomUUID(),
      access: scopes.flatMap(parseScope),
    };
    const header = { typ: 'JWT', alg: 'ES256', kid };
    const signingInput = `${base64url(JSON.stringify(header))}.${base64url(JSON.stringify(claims))}`;
    const signature = sign('sha256', Buffer.from(signingInput), {
      key: privateKey,
      dsaEncoding: 'ieee-p1363',
    });
    const token = `${signingInput}.${base64url(signature)}`;
    res.writeHead(200, { 'Content-Type': 'application/json' });
    res.end(
      JSON.stringify({
        token,
        access_token: token,
        expires_in: 300,
        issued_at: new Date().toISOString(),
      }),
    );
  };

  const server = createServer((req, res) => {
    let body = '';
    req.on('data', (chunk: Buffer) => (body += chunk.toString()));
    req.on('end', () => handle(req, res, body));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    realm: `http://127.0.0.1:${port}/token`,
    requests,
    methods,
    stop: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

function hasCredentials(
  req: IncomingMessage,
  expected: { readonly username: string; readonly password: string },
): boolean {
  const header = req.headers.authorization ?? '';
  if (!header.startsWith('Basic ')) return false;
  const decoded = Buffer.from(header.slice(6), 'base64').toString('utf8');
  return decoded === `${expected.username}:${expected.password}`;
}

/** `repository:team/app:pull,push` -> the JWT `access` entry; other forms are ignored. */
export function parseScope(scope: string): { type: string; name: string; actions: string[] }[] {
  const parts = scope.split(':');
  if (parts.length < 3) return [];
  const type = parts[0];
  const actions = parts[parts.length - 1].split(',').filter((a) => a !== '');
  const name = parts.slice(1, -1).join(':');
  return [{ type, name, actions }];
}

function base64url(data: string | Buffer): string {
  return Buffer.from(data).toString('base64url');
}

/**
 * The key id libtrust (used by distribution) gives a public key: the first 240 bits of the
 * SHA-256 of its DER SubjectPublicKeyInfo, base32 without padding, in groups of four.
 */
export function libtrustKeyId(spkiDer: Buffer): string {
  const bytes = createHash('sha256').update(spkiDer).digest().subarray(0, 30);
  const alphabet = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ234567';
  let bits = '';
  for (const byte of bytes) bits += byte.toString(2).padStart(8, '0');
  let encoded = '';
  for (let i = 0; i + 5 <= bits.length; i += 5)
    encoded += alphabet[parseInt(bits.slice(i, i + 5), 2)];
  return encoded.match(/.{1,4}/g)!.join(':');
}
