import { jest } from '@jest/globals';
import { createHash } from 'node:crypto';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { createServer as createHttpsServer } from 'node:https';
import { createServer as createTcpServer, type AddressInfo, type Server } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  listTags,
  pullArtifact,
  pushArtifact,
  resolveArtifact,
  tagArtifact,
} from '../../../src/oci/registry/index.js';
import { fluxArtifact } from '../../support/artifacts.js';
import {
  startRegistryFront,
  type FrontAnswer,
  type FrontRequest,
  type RegistryFront,
} from '../../support/registry-front.js';
import { startRegistry, type TestRegistry } from '../../support/registry.js';
import { generateCertificates } from '../../support/pki.js';

// Real registries (and TLS keys) are started per file: allow for a busy machine.
jest.setTimeout(60_000);

/** The limits listTags promises (src/oci/registry/list.ts). */
const MAX_LISTED_TAGS = 100_000;
const MAX_TAG_PAGES = 1000;

// A registry that answers in ways no registry should: memory stays bounded and every
// error is one line naming the registry, the value and what to do.
describe('hostile registry answers', () => {
  const options = { allowInsecureHttp: true, useAuthFile: false, retries: 0 } as const;
  let registry: TestRegistry;
  let digest: string;
  const fronts: RegistryFront[] = [];

  beforeAll(async () => {
    registry = await startRegistry();
    digest = (
      await pushArtifact(
        `oci://${registry.host}/hostile/app:v1`,
        fluxArtifact({ 'a.yaml': 'a\n' }),
        options,
      )
    ).digest;
  });
  afterEach(async () => {
    await Promise.all(fronts.splice(0).map((f) => f.stop()));
  });
  afterAll(async () => {
    await registry?.stop();
  });

  async function front(
    answer: (req: FrontRequest, real: () => Promise<FrontAnswer>) => Promise<FrontAnswer>,
  ): Promise<RegistryFront> {
    const started = await startRegistryFront({ target: registry.host, answer });
    fronts.push(started);
    return started;
  }

  const json = (value: unknown, headers: Record<string, string> = {}): FrontAnswer => ({
    status: 200,
    headers: { 'content-type': 'application/json', ...headers },
    body: Buffer.from(JSON.stringify(value)),
  });

  /** `count` tags `prefix000000`, `prefix000001`, ... */
  const manyTags = (prefix: string, count: number): string[] =>
    Array.from({ length: count }, (_, i) => `${prefix}${String(i).padStart(6, '0')}`);

  /** Serves `pages` pages of `perPage` tags each, linked by `Link` headers. */
  const pagedTags =
    (pages: number, perPage: number) =>
    async (req: FrontRequest, real: () => Promise<FrontAnswer>) => {
      if (!req.url.includes('/tags/list')) return real();
      const page = Number(new URL(req.url, 'http://x').searchParams.get('page') ?? '0');
      const next: Record<string, string> =
        page + 1 < pages
          ? { link: `</v2/hostile/app/tags/list?page=${page + 1}>; rel="next"` }
          : {};
      return json({ name: 'hostile/app', tags: manyTags(`p${page}-`, perPage) }, next);
    };

  describe('bodies read into memory', () => {
    it('refuses an answer larger than 4 MiB where the request named no limit', async () => {
      // The answer to the upload's POST, whose body nobody reads, padded to 10 MiB.
      const hostile = await front(async (req, real) => {
        const answer = await real();
        return req.method === 'POST' && req.url.includes('/blobs/uploads/')
          ? { ...answer, body: Buffer.alloc(10 * 1024 * 1024, 0x20) }
          : answer;
      });
      await expect(
        pushArtifact(
          `oci://${hostile.host}/hostile/big:v1`,
          fluxArtifact({ 'b.yaml': 'b\n' }),
          options,
        ),
      ).rejects.toThrow(
        new RegExp(
          `^registry ${hostile.host} sent more than 4194304 bytes for http://${hostile.host}/v2/hostile/big/blobs/uploads/`,
        ),
      );
    });
  });

  describe('tag lists', () => {
    it('reads one page of 150,000 tags and keeps those the filter matches', async () => {
      const hostile = await front(async (req, real) =>
        req.url.includes('/tags/list') ? json({ tags: manyTags('t', 150_000) }) : real(),
      );
      const tags = await listTags(`oci://${hostile.host}/hostile/app`, {
        ...options,
        regexFilter: '^t14999',
      });
      expect(tags).toEqual(manyTags('t', 150_000).slice(149_990).reverse());
    });

    it(`refuses more than ${MAX_LISTED_TAGS} tags with a message and reads no further page`, async () => {
      const hostile = await front(pagedTags(150, 1000));
      await expect(listTags(`oci://${hostile.host}/hostile/app`, options)).rejects.toThrow(
        `repository ${hostile.host}/hostile/app has more than ${MAX_LISTED_TAGS} tags: narrow the list with --filter-regex or --filter-semver`,
      );
      const pages = hostile.requests.filter((r) => r.url.includes('/tags/list'));
      expect(pages).toHaveLength(MAX_LISTED_TAGS / 1000 + 1);
    });

    it(`refuses a registry that pages more than ${MAX_TAG_PAGES} times`, async () => {
      const hostile = await front(async (req, real) =>
        req.url.includes('/tags/list')
          ? json({ tags: [] }, { link: `<${req.url}>; rel="next"` })
          : real(),
      );
      await expect(listTags(`oci://${hostile.host}/hostile/app`, options)).rejects.toThrow(
        `registry ${hostile.host} sent more than ${MAX_TAG_PAGES} pages of tags for ${hostile.host}/hostile/app`,
      );
    });

    it('says that a tag list is not JSON, not a list of strings, or holds an invalid tag', async () => {
      const html = await front(async (req, real) =>
        req.url.includes('/tags/list')
          ? {
              status: 200,
              headers: { 'content-type': 'text/html' },
              body: Buffer.from('<html>\x1b[2Jhi</html>'),
            }
          : real(),
      );
      await expect(listTags(`oci://${html.host}/hostile/app`, options)).rejects.toThrow(
        `registry ${html.host} answered the tag list of ${html.host}/hostile/app with something that is not JSON (19 bytes starting '<html>\\x1b[2Jhi</html>'): check that the URL names a registry`,
      );
      const numbers = await front(async (req, real) =>
        req.url.includes('/tags/list') ? json({ tags: [1, 2] }) : real(),
      );
      await expect(listTags(`oci://${numbers.host}/hostile/app`, options)).rejects.toThrow(
        "with a 'tags' that is not a list of strings",
      );
      const newline = await front(async (req, real) =>
        req.url.includes('/tags/list') ? json({ tags: ['v1', 'v2\n✔ fake\x1b[2J'] }) : real(),
      );
      await expect(listTags(`oci://${newline.host}/hostile/app`, options)).rejects.toThrow(
        `registry ${newline.host} listed 'v2\\n✔ fake\\x1b[2J' among the tags of ${newline.host}/hostile/app, which is not a valid tag: check the registry`,
      );
    });
  });

  describe('status lines and statuses', () => {
    it('says that an answer is not HTTP', async () => {
      const garbage: Server = createTcpServer((socket) =>
        socket.once('data', () => socket.end('garbage\r\n\r\n')),
      );
      await new Promise<void>((resolve) => garbage.listen(0, '127.0.0.1', resolve));
      const host = `127.0.0.1:${(garbage.address() as AddressInfo).port}`;
      try {
        await expect(resolveArtifact(`oci://${host}/app:v1`, options)).rejects.toThrow(
          `registry ${host} answered with something that is not HTTP (Parse Error: Expected HTTP/`,
        );
        await expect(resolveArtifact(`oci://${host}/app:v1`, options)).rejects.toThrow(
          `): check that ${host} is the registry's host and port`,
        );
      } finally {
        garbage.close();
      }
    });

    it('explains a redirect it does not follow, one without a Location, and a 431', async () => {
      const redirecting = await front(async (req, real) =>
        req.method === 'PUT' && req.url.includes('/manifests/')
          ? {
              status: 307,
              headers: { location: 'https://elsewhere.example/v2/x' },
              body: Buffer.alloc(0),
            }
          : real(),
      );
      await expect(
        tagArtifact(`oci://${redirecting.host}/hostile/app:v1`, ['v2'], options),
      ).rejects.toThrow(
        `registry ${redirecting.host} failed to write manifest hostile/app:v2 (307): HTTP 307 Temporary Redirect, a redirect to https://elsewhere.example/v2/x, which only reads follow: check the registry URL`,
      );
      const bare = await front(async (req, real) =>
        req.url.endsWith('/manifests/v1')
          ? { status: 302, headers: {}, body: Buffer.alloc(0) }
          : real(),
      );
      await expect(pullArtifact(`oci://${bare.host}/hostile/app:v1`, options)).rejects.toThrow(
        `registry ${bare.host} failed to get manifest ${bare.host}/hostile/app:v1 (302): HTTP 302 Found, a redirect without a Location header: check the registry URL`,
      );
      const large = await front(async (req, real) =>
        req.url.endsWith('/manifests/v1')
          ? { status: 431, headers: {}, body: Buffer.alloc(0) }
          : real(),
      );
      await expect(pullArtifact(`oci://${large.host}/hostile/app:v1`, options)).rejects.toThrow(
        `(431): HTTP 431 Request Header Fields Too Large: the registry refuses headers this large (the credentials or token sent); check the credentials`,
      );
    });
  });

  describe('Docker-Content-Digest', () => {
    const withDigest =
      (value: (body: Buffer) => string) =>
      async (req: FrontRequest, real: () => Promise<FrontAnswer>) => {
        const answer = await real();
        if (!req.url.includes('/manifests/')) return answer;
        // A HEAD has no body: the digest is computed from the manifest the test pushed.
        const body = req.method === 'HEAD' ? await manifestBytes() : answer.body;
        return { ...answer, headers: { ...answer.headers, 'docker-content-digest': value(body) } };
      };
    const manifestBytes = async (): Promise<Buffer> => {
      const res = await fetch(`${registry.url}/v2/hostile/app/manifests/v1`, {
        headers: { accept: 'application/vnd.oci.image.manifest.v1+json' },
      });
      return Buffer.from(await res.arrayBuffer());
    };
    const sha512 = (body: Buffer): string =>
      `sha512:${createHash('sha512').update(body).digest('hex')}`;

    it('verifies a sha512 digest', async () => {
      const honest = await front(withDigest(sha512));
      const url = `oci://${honest.host}/hostile/app:v1`;
      expect((await pullArtifact(url, options)).digest).toBe(digest);
      // A HEAD with a sha512 digest reads the manifest: tags and references name its sha256.
      expect((await resolveArtifact(url, options))?.digest).toBe(digest);

      const lying = await front(
        withDigest((body) => sha512(Buffer.concat([body, Buffer.from(' ')]))),
      );
      await expect(pullArtifact(`oci://${lying.host}/hostile/app:v1`, options)).rejects.toThrow(
        `manifest of ${lying.host}/hostile/app:v1 does not match its digest: expected sha512:`,
      );
    });

    it('reads the manifest when a HEAD sends a digest that is not sha256 hex', async () => {
      const garbled = await front(async (req, real) => {
        const answer = await real();
        if (req.method !== 'HEAD') return answer;
        const headers = { ...answer.headers, 'docker-content-digest': 'sha256:0123-not-hex' };
        return { ...answer, headers };
      });
      const url = `oci://${garbled.host}/hostile/app:v1`;
      expect((await resolveArtifact(url, options))?.digest).toBe(digest);
    });

    it('refuses a digest it cannot verify', async () => {
      const md5 = await front(withDigest(() => 'md5:0123456789abcdef0123456789abcdef'));
      await expect(pullArtifact(`oci://${md5.host}/hostile/app:v1`, options)).rejects.toThrow(
        `registry ${md5.host} sent manifest ${md5.host}/hostile/app:v1 with the digest 'md5:0123456789abcdef0123456789abcdef', which cannot be verified (sha256 or sha512 expected): check the registry`,
      );
    });
  });

  describe('TLS trust', () => {
    let dir: string;
    beforeAll(async () => {
      dir = await mkdtemp(join(tmpdir(), 'flux-oci-tls-names-'));
    });
    afterAll(async () => {
      await rm(dir, { recursive: true, force: true });
    });

    it('says that a CA file holds no PEM certificate, instead of "pass --ca-file"', async () => {
      const notPem = join(dir, 'not-a-ca.txt');
      await writeFile(notPem, 'this is not a certificate\n');
      await expect(
        resolveArtifact(`oci://${registry.host}/hostile/app:v1`, { ...options, caFile: notPem }),
      ).rejects.toThrow(
        `the CA file '${notPem}' holds no PEM certificate (a '-----BEGIN CERTIFICATE-----' block): give --ca-file the CA certificate in PEM format`,
      );
      const broken = join(dir, 'broken.pem');
      await writeFile(broken, '-----BEGIN CERTIFICATE-----\nAAAA\n-----END CERTIFICATE-----\n');
      await expect(
        resolveArtifact(`oci://${registry.host}/hostile/app:v1`, { ...options, caFile: broken }),
      ).rejects.toThrow(`certificate 1 of the CA file '${broken}' is not a valid PEM certificate`);
    });

    it('says that the certificate names another host, when the CA is the right one', async () => {
      // The certificate is for 127.0.0.1 and localhost; the server answers on 127.0.0.2.
      const certs = await generateCertificates(dir);
      const server = createHttpsServer(
        { cert: await readFile(certs.certFile), key: await readFile(certs.keyFile) },
        (_req, res) => res.end(),
      );
      await new Promise<void>((resolve) => server.listen(0, '127.0.0.2', resolve));
      const host = `127.0.0.2:${(server.address() as AddressInfo).port}`;
      try {
        const failure = resolveArtifact(`oci://${host}/app:v1`, {
          ...options,
          allowInsecureHttp: false,
          caFile: certs.caFile,
        });
        await expect(failure).rejects.toThrow(
          `TLS certificate of registry ${host} does not name the host '127.0.0.2' (`,
        );
        await expect(
          resolveArtifact(`oci://${host}/app:v1`, { ...options, caFile: certs.caFile }),
        ).rejects.toThrow(
          "): use a host name the certificate names, or have the certificate reissued for '127.0.0.2'",
        );
      } finally {
        server.closeAllConnections();
        server.close();
      }
    });
  });
});
