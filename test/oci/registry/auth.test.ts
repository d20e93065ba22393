import { jest } from '@jest/globals';
import { execFile } from 'node:child_process';
import { chmodSync, copyFileSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { sha256Digest } from '../../../src/oci/index.js';
import {
  pullArtifact,
  pushArtifact,
  RegistryClient,
  resolveArtifact,
} from '../../../src/oci/registry/index.js';
import { fluxArtifact } from '../../support/artifacts.js';
import { startRegistry, type TestRegistry } from '../../support/registry.js';
import { forwardTcp } from '../../support/tcp-forwarder.js';

// Real registries (and TLS keys) are started per file: allow for a busy machine.
jest.setTimeout(60_000);

const run = promisify(execFile);
const user = { username: 'flux', password: 's3cret-pässword' };
const files = { 'app.yaml': 'kind: ConfigMap\n' };

/** Runs `fn` with a registry started with `options`, stopping it also on failure. */
async function withRegistry(
  options: Parameters<typeof startRegistry>[0],
  fn: (registry: TestRegistry) => Promise<void>,
): Promise<void> {
  const registry = await startRegistry(options);
  try {
    await fn(registry);
  } finally {
    await registry.stop();
  }
}

describe('TLS', () => {
  it('pushes and pulls with the CA given as caFile; skopeo trusting the same CA reads it', () =>
    withRegistry({ tls: true }, async (registry) => {
      const url = `oci://${registry.host}/tls/app:v1`;
      const certDir = mkdtempSync(join(tmpdir(), 'flux-oci-certs-'));
      const pushed = await pushArtifact(url, fluxArtifact(files), {
        caFile: registry.caFile,
        useAuthFile: false,
      });
      const pulled = await pullArtifact(url, { caFile: registry.caFile, useAuthFile: false });
      expect(pulled.digest).toBe(pushed.digest);
      try {
        copyFileSync(registry.caFile!, join(certDir, 'ca.crt'));
        const raw = await run('skopeo', [
          'inspect',
          '--raw',
          `--cert-dir=${certDir}`,
          `docker://${registry.host}/tls/app:v1`,
        ]);
        expect(sha256Digest(Buffer.from(raw.stdout))).toBe(pushed.digest);
      } finally {
        rmSync(certDir, { recursive: true, force: true });
      }
    }));

  it('refuses an untrusted certificate and says to pass --ca-file, also with allowInsecureHttp', () =>
    withRegistry({ tls: true }, async (registry) => {
      const url = `oci://${registry.host}/tls/app:v1`;
      for (const options of [{}, { allowInsecureHttp: true }]) {
        await expect(
          resolveArtifact(url, { ...options, useAuthFile: false, retries: 0 }),
        ).rejects.toThrow(`TLS certificate of registry ${registry.host} is not trusted`);
      }
      await expect(resolveArtifact(url, { useAuthFile: false })).rejects.toThrow('--ca-file');
    }));

  // 127.0.0.2: not one of the loopback names that need no flag (loopback-http.test.ts).
  it('refuses plain HTTP unless allowInsecureHttp', () =>
    withRegistry({}, async (registry) => {
      const other = await forwardTcp('127.0.0.2', registry.host);
      try {
        const url = `oci://${other.host}/plain/app:v1`;
        await expect(resolveArtifact(url, { useAuthFile: false, retries: 0 })).rejects.toThrow(
          `registry ${other.host} does not speak TLS`,
        );
        await expect(resolveArtifact(url, { useAuthFile: false, retries: 0 })).rejects.toThrow(
          '--allow-insecure-http',
        );
        expect(
          await resolveArtifact(url, { useAuthFile: false, allowInsecureHttp: true }),
        ).toBeUndefined();
      } finally {
        await other.stop();
      }
    }));
});

describe('unreachable registries', () => {
  it('names an unknown host', async () => {
    await expect(
      resolveArtifact('oci://no-such-registry.invalid/app:v1', { useAuthFile: false, retries: 0 }),
    ).rejects.toThrow("cannot resolve the registry host 'no-such-registry.invalid'");
  });

  it('names a port nobody listens on, asking whether a local registry runs', async () => {
    const { freePort } = await import('../../support/ports.js');
    const port = await freePort();
    await expect(
      resolveArtifact(`oci://127.0.0.1:${port}/app:v1`, { useAuthFile: false, retries: 0 }),
    ).rejects.toThrow(
      `registry 127.0.0.1:${port} refused the connection: is the registry running? check the host and port`,
    );
    // 127.0.0.2 is loopback, but not "this machine's registry" by name.
    await expect(
      resolveArtifact(`oci://127.0.0.2:${port}/app:v1`, {
        useAuthFile: false,
        retries: 0,
        allowInsecureHttp: true,
      }),
    ).rejects.toThrow(`registry 127.0.0.2:${port} refused the connection: check the host and port`);
  });
});

describe('basic auth (htpasswd)', () => {
  it('pushes and pulls with the right credentials; says which user was rejected otherwise', () =>
    withRegistry({ htpasswd: user }, async (registry) => {
      const url = `oci://${registry.host}/basic/app:v1`;
      const base = { allowInsecureHttp: true, useAuthFile: false };
      const pushed = await pushArtifact(url, fluxArtifact(files), { ...base, credentials: user });
      expect((await pullArtifact(url, { ...base, credentials: user })).digest).toBe(pushed.digest);

      const wrong = pullArtifact(url, {
        ...base,
        credentials: { username: 'flux', password: 'wrong' },
      });
      await expect(wrong).rejects.toThrow(
        `registry ${registry.host} rejected the credentials for user 'flux' (401): check the user name and password (--creds, or --username with --password-stdin or OCI_PASSWORD)`,
      );
      await expect(pullArtifact(url, base)).rejects.toThrow(
        `registry ${registry.host} requires authentication (401)`,
      );
    }));

  it('never puts the password into an error message', () =>
    withRegistry({ htpasswd: user }, async (registry) => {
      const credentials = { username: 'flux', password: 'hunter2-not-it' };
      const err = await pullArtifact(`oci://${registry.host}/basic/app:v1`, {
        allowInsecureHttp: true,
        useAuthFile: false,
        credentials,
      }).then(
        () => undefined,
        (e: Error) => e,
      );
      // The pull must have failed (wrong password): only then is there a message to search.
      expect(err).toBeInstanceOf(Error);
      expect(err?.message).toMatch(/rejected the credentials for user 'flux' \(401\)/);
      expect(err?.message).not.toContain('hunter2');
      expect(String(err?.stack)).not.toContain('hunter2');
    }));

  it('takes credentials from $DOCKER_CONFIG/config.json', () =>
    withRegistry({ htpasswd: user }, async (registry) => {
      const dir = mkdtempSync(join(tmpdir(), 'flux-oci-docker-config-'));
      try {
        const auth = Buffer.from(`${user.username}:${user.password}`).toString('base64');
        writeFileSync(
          join(dir, 'config.json'),
          JSON.stringify({ auths: { [`http://${registry.host}`]: { auth } } }),
        );
        const env = { HOME: dir, DOCKER_CONFIG: dir, PATH: process.env.PATH };
        const pushed = await pushArtifact(
          `oci://${registry.host}/cfg/app:v1`,
          fluxArtifact(files),
          {
            allowInsecureHttp: true,
            env,
          },
        );
        expect(pushed.uploadedBlobs).toBe(2);
      } finally {
        rmSync(dir, { recursive: true, force: true });
      }
    }));

  it('asks a credential helper, with the server on stdin and never in argv', () =>
    withRegistry({ htpasswd: user }, async (registry) => {
      const dir = mkdtempSync(join(tmpdir(), 'flux-oci-cred-helper-'));
      try {
        const helper = join(dir, 'docker-credential-fluxtest');
        // Records its argv and stdin, answers for the test registry only.
        writeFileSync(
          helper,
          `#!/bin/sh
echo "$@" > "${dir}/argv"
read server
echo "$server" > "${dir}/stdin"
if [ "$server" = "${registry.host}" ]; then
  printf '{"ServerURL":"%s","Username":"${user.username}","Secret":"${user.password}"}' "$server"
else
  echo "credentials not found in native keychain"; exit 1
fi
`,
        );
        chmodSync(helper, 0o755);
        writeFileSync(
          join(dir, 'config.json'),
          JSON.stringify({ credHelpers: { [registry.host]: 'fluxtest' } }),
        );
        const env = { HOME: dir, DOCKER_CONFIG: dir, PATH: `${dir}:${process.env.PATH}` };
        const pushed = await pushArtifact(
          `oci://${registry.host}/helper/app:v1`,
          fluxArtifact(files),
          {
            allowInsecureHttp: true,
            env,
          },
        );
        expect(pushed.uploadedBlobs).toBe(2);
        expect(readFileSync(join(dir, 'argv'), 'utf8').trim()).toBe('get');
        expect(readFileSync(join(dir, 'stdin'), 'utf8').trim()).toBe(registry.host);
      } finally {
        rmSync(dir, { recursive: true, force: true });
      }
    }));
});

describe('token auth', () => {
  it('exchanges basic credentials for tokens, one per scope, cached across operations', () =>
    withRegistry({ tokenAuth: true, htpasswd: user }, async (registry) => {
      const client = new RegistryClient(registry.host, {
        allowInsecureHttp: true,
        useAuthFile: false,
        credentials: user,
      });
      try {
        const url = `oci://${registry.host}/token/app:v1`;
        await pushArtifact(url, fluxArtifact(files), { client });
        await pushArtifact(
          `oci://${registry.host}/token/app:v2`,
          fluxArtifact({ ...files, 'b.yaml': 'b\n' }),
          {
            client,
          },
        );
        expect(registry.tokenServer!.requests).toEqual([['repository:token/app:pull,push']]);
        // The push token covers pulls of the same repository.
        await pullArtifact(url, { client });
        expect(registry.tokenServer!.requests).toHaveLength(1);
        // A new client asks for the pull scope only.
        await pullArtifact(url, { allowInsecureHttp: true, useAuthFile: false, credentials: user });
        expect(registry.tokenServer!.requests).toEqual([
          ['repository:token/app:pull,push'],
          ['repository:token/app:pull'],
        ]);
        // skopeo, with the same credentials, reads what was pushed through the token flow.
        const raw = await run('skopeo', [
          'inspect',
          '--raw',
          '--tls-verify=false',
          `--creds=${user.username}:${user.password}`,
          `docker://${registry.host}/token/app:v1`,
        ]);
        expect(JSON.parse(raw.stdout)).toMatchObject({
          mediaType: 'application/vnd.oci.image.manifest.v1+json',
        });
      } finally {
        await client.close();
      }
    }));

  it('exchanges a docker config identity token (OAuth2 refresh token) with a POST', () =>
    withRegistry(
      { tokenAuth: true, htpasswd: user, refreshToken: 'refresh-me' },
      async (registry) => {
        const dir = mkdtempSync(join(tmpdir(), 'flux-oci-identity-'));
        try {
          writeFileSync(
            join(dir, 'config.json'),
            JSON.stringify({ auths: { [registry.host]: { identitytoken: 'refresh-me' } } }),
          );
          const env = { HOME: dir, DOCKER_CONFIG: dir };
          const pushed = await pushArtifact(
            `oci://${registry.host}/token/identity:v1`,
            fluxArtifact(files),
            {
              allowInsecureHttp: true,
              env,
            },
          );
          expect(pushed.uploadedBlobs).toBe(2);
          expect(registry.tokenServer!.methods).toEqual(['POST']);
        } finally {
          rmSync(dir, { recursive: true, force: true });
        }
      },
    ));

  it('uses a registry token as is (Flux: --creds without a colon)', () =>
    withRegistry({ tokenAuth: true, htpasswd: user }, async (registry) => {
      const realm = new URL(registry.tokenServer!.realm);
      realm.searchParams.set('service', 'flux-oci-test-registry');
      realm.searchParams.set('scope', 'repository:token/raw:pull,push');
      const basic = Buffer.from(`${user.username}:${user.password}`).toString('base64');
      const res = await fetch(realm, { headers: { authorization: `Basic ${basic}` } });
      const { token } = (await res.json()) as { token: string };
      const url = `oci://${registry.host}/token/raw:v1`;
      const base = { allowInsecureHttp: true, useAuthFile: false } as const;
      const pushed = await pushArtifact(url, fluxArtifact(files), {
        ...base,
        credentials: { registryToken: token },
      });
      expect(pushed.uploadedBlobs).toBe(2);
      await expect(
        pullArtifact(url, { ...base, credentials: { registryToken: 'not-a-token' } }),
      ).rejects.toThrow(
        `registry ${registry.host} rejected the credentials for the registry token (401)`,
      );
    }));

  it('reports rejected credentials at the token server', () =>
    withRegistry({ tokenAuth: true, htpasswd: user }, async (registry) => {
      await expect(
        pullArtifact(`oci://${registry.host}/token/app:v1`, {
          allowInsecureHttp: true,
          useAuthFile: false,
          credentials: { username: 'flux', password: 'nope' },
        }),
      ).rejects.toThrow(
        `registry ${registry.host} rejected the credentials for user 'flux' (401): check the user name and password (--creds, or --username with --password-stdin or OCI_PASSWORD)`,
      );
    }));

  it('fetches a new token when the registry refuses one that expired early', () =>
    withRegistry({ tokenAuth: true, htpasswd: user, expiredTokens: 1 }, async (registry) => {
      const client = new RegistryClient(registry.host, {
        allowInsecureHttp: true,
        useAuthFile: false,
        credentials: user,
      });
      try {
        const url = `oci://${registry.host}/token/expiry:v1`;
        const pushed = await pushArtifact(url, fluxArtifact(files), { client });
        expect(pushed.uploadedBlobs).toBe(2);
        // The first token was refused by the registry; the client fetched a second one.
        expect(registry.tokenServer!.requests).toEqual([
          ['repository:token/expiry:pull,push'],
          ['repository:token/expiry:pull,push'],
        ]);
      } finally {
        await client.close();
      }
    }));
});
