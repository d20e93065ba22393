import { jest } from '@jest/globals';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  pullArtifact,
  pullArtifactToDirectory,
  pushArtifact,
  resolveArtifact,
  type PushResult,
} from '../../../src/oci/registry/index.js';
import { fluxArtifact } from '../../support/artifacts.js';
import {
  startFaultProxy,
  type Fault,
  type FaultProxy,
  type ProxiedRequest,
} from '../../support/fault-proxy.js';
import { startRegistry, type TestRegistry } from '../../support/registry.js';

// Real registries (and TLS keys) are started per file: allow for a busy machine.
jest.setTimeout(60_000);

// A real registry behind a proxy that fails chosen requests: retries must recover from
// transient failures, and a push that fails must never leave a tag on missing content.
describe('pushing through a registry that fails requests', () => {
  let registry: TestRegistry;
  const fast = { allowInsecureHttp: true, useAuthFile: false, retryDelayMs: 10 } as const;

  beforeAll(async () => {
    registry = await startRegistry();
  });
  afterAll(async () => {
    await registry?.stop();
  });

  /** Runs `fn` with a proxy using `fault`, stopping it also on failure. */
  async function withProxy(
    fault: (request: ProxiedRequest) => Fault | undefined,
    fn: (proxy: FaultProxy) => Promise<void>,
  ): Promise<void> {
    const proxy = await startFaultProxy({ target: registry.host, fault });
    try {
      await fn(proxy);
    } finally {
      await proxy.stop();
    }
  }

  /** What the tag points at, asked of the registry directly. */
  const tagDigest = async (repository: string, tag: string): Promise<string | undefined> => {
    const separator = tag.startsWith('sha256:') ? '@' : ':';
    return (await resolveArtifact(`oci://${registry.host}/${repository}${separator}${tag}`, fast))
      ?.digest;
  };

  let unique = 0;
  const freshArtifact = () => fluxArtifact({ 'app.yaml': `n: ${unique++} ${Date.now()}\n` });

  it('retries 503s and a 429, honouring Retry-After', () => {
    // Every distinct request fails once; the very first with 429 and Retry-After: 1.
    const seen = new Set<string>();
    const failFirst = (r: ProxiedRequest): Fault | undefined => {
      const key = `${r.method} ${r.url.split('?')[0].replace(/uploads\/.*/, 'uploads/')}`;
      if (seen.has(key)) return undefined;
      seen.add(key);
      return r.index === 0 ? { status: 429, retryAfter: '1' } : { status: 503 };
    };
    return withProxy(failFirst, async (proxy) => {
      const started = Date.now();
      const pushed = await pushArtifact(
        `oci://${proxy.host}/faults/retry:v1`,
        freshArtifact(),
        fast,
      );
      expect(Date.now() - started).toBeGreaterThanOrEqual(1000);
      expect(proxy.log.filter((r) => r.outcome === '503').length).toBeGreaterThan(3);
      expect(await tagDigest('faults/retry', 'v1')).toBe(pushed.digest);
      const pulled = await pullArtifact(`oci://${proxy.host}/faults/retry:v1`, fast);
      expect(pulled.digest).toBe(pushed.digest);
    });
  });

  it('starts an upload over when the connection resets during the blob PUT', () => {
    let resets = 0;
    return withProxy(
      (r) =>
        r.method === 'PUT' && r.url.includes('digest=') && resets++ === 0 ? 'reset' : undefined,
      async (proxy) => {
        const pushed = await pushArtifact(
          `oci://${proxy.host}/faults/reset:v1`,
          freshArtifact(),
          fast,
        );
        expect(proxy.log.some((r) => r.outcome === 'reset')).toBe(true);
        expect(await tagDigest('faults/reset', 'v1')).toBe(pushed.digest);
      },
    );
  });

  it('does not send a blob again when only the answer to its upload was lost', () => {
    let lost = 0;
    return withProxy(
      (r) =>
        r.method === 'PUT' && r.url.includes('digest=') && lost++ === 0
          ? 'lose-response'
          : undefined,
      async (proxy) => {
        const artifact = freshArtifact();
        const pushed = await pushArtifact(`oci://${proxy.host}/faults/lost:v1`, artifact, fast);
        const lostAt = proxy.log.findIndex((r) => r.outcome === 'lost response');
        const digest = new URL(proxy.log[lostAt].url, 'http://x').searchParams.get('digest');
        const after = proxy.log.slice(lostAt + 1);
        // The blob was checked (HEAD) and found, not uploaded a second time.
        expect(after.some((r) => r.method === 'HEAD' && r.url.endsWith(`/blobs/${digest}`))).toBe(
          true,
        );
        expect(
          after.some(
            (r) => r.method === 'PUT' && r.url.includes(`digest=${encodeURIComponent(digest!)}`),
          ),
        ).toBe(false);
        expect(await tagDigest('faults/lost', 'v1')).toBe(pushed.digest);
      },
    );
  });

  it('a pull whose download breaks midway extracts the layer again from the start, once', () => {
    let cuts = 0;
    return withProxy(
      (r) =>
        r.method === 'GET' && r.url.includes('/blobs/sha256:') && cuts++ === 0
          ? 'cut-body'
          : undefined,
      async (proxy) => {
        // Incompressible files, so the first half of the layer holds whole entries.
        const files = Object.fromEntries(
          Array.from({ length: 4 }, (_, i) => [
            `dir-${i}/file.bin`,
            randomBytes(64 * 1024).toString('base64'),
          ]),
        );
        const url = `oci://${proxy.host}/faults/cut:v1`;
        await pushArtifact(url, fluxArtifact(files), fast);
        const parent = mkdtempSync(join(tmpdir(), 'flux-oci-faults-'));
        try {
          const target = join(parent, 'out');
          const pulled = await pullArtifactToDirectory(url, target, fast);
          expect(proxy.log.some((r) => r.outcome === 'cut body')).toBe(true);
          // Counted once: the first attempt's entries were dropped, not added to.
          expect(pulled.extracted).toEqual({ files: 4, directories: 4, skipped: [] });
          for (const [name, content] of Object.entries(files)) {
            expect(readFileSync(join(target, name), 'utf8')).toBe(content);
          }
          expect(readdirSync(parent)).toEqual(['out']);
        } finally {
          rmSync(parent, { recursive: true, force: true });
        }
      },
    );
  });

  it('leaves no tag when blob uploads keep failing', () =>
    withProxy(
      (r) =>
        r.method === 'PUT' && r.url.includes('/blobs/uploads/') ? { status: 500 } : undefined,
      async (proxy) => {
        const artifact = freshArtifact();
        await expect(
          pushArtifact(`oci://${proxy.host}/faults/blobs:v1`, artifact, fast),
        ).rejects.toThrow(`registry ${proxy.host} failed to take blob`);
        expect(await tagDigest('faults/blobs', 'v1')).toBeUndefined();
        expect(
          await tagDigest('faults/blobs', artifact.manifest.descriptor.digest),
        ).toBeUndefined();
      },
    ));

  it('leaves no tag when the manifest cannot be written', () =>
    withProxy(
      (r) =>
        r.method === 'PUT' && r.url.includes('/manifests/sha256:') ? { status: 500 } : undefined,
      async (proxy) => {
        await expect(
          pushArtifact(`oci://${proxy.host}/faults/manifest:v1`, freshArtifact(), fast),
        ).rejects.toThrow(`registry ${proxy.host} failed to write manifest`);
        expect(await tagDigest('faults/manifest', 'v1')).toBeUndefined();
      },
    ));

  it('gives up at the operation timeout when the registry stops answering', () =>
    withProxy(
      (r) => (r.method === 'PUT' ? 'hang' : undefined),
      async (proxy) => {
        // The message is the operation timeout's own (the proxy never answers the PUT).
        await expect(
          pushArtifact(`oci://${proxy.host}/faults/hang:v1`, freshArtifact(), {
            ...fast,
            timeoutMs: 2000,
          }),
        ).rejects.toThrow(
          `registry ${proxy.host} did not complete the operation within 2s: raise --timeout`,
        );
        expect(await tagDigest('faults/hang', 'v1')).toBeUndefined();
      },
    ));

  it('under random faults, every push either completes or leaves the tag where it was', () => {
    // A small deterministic generator, so a failure can be replayed.
    let seed = 42;
    const random = (): number => (seed = (seed * 1103515245 + 12345) % 2 ** 31) / 2 ** 31;
    const faults: Fault[] = [
      { status: 500 },
      { status: 503 },
      { status: 502 },
      'reset',
      'lose-response',
    ];
    return withProxy(
      () => (random() < 0.3 ? faults[Math.floor(random() * faults.length)] : undefined),
      async (proxy) => {
        const url = `oci://${proxy.host}/faults/chaos:stable`;
        const good: PushResult[] = [];
        let failures = 0;
        for (let i = 0; i < 12; i++) {
          const before = await tagDigest('faults/chaos', 'stable');
          const artifact = freshArtifact();
          const attempted = artifact.manifest.descriptor.digest;
          // Only the push's failure is caught: a failed expectation below fails the test
          // instead of counting as a faulted push.
          const pushed = await pushArtifact(url, artifact, { ...fast, retries: 2 }).catch(
            () => undefined,
          );
          if (pushed) {
            good.push(pushed);
            expect(await tagDigest('faults/chaos', 'stable')).toBe(pushed.digest);
          } else {
            failures++;
            const after = await tagDigest('faults/chaos', 'stable');
            // Either untouched, or moved by a manifest PUT whose answer was lost: then
            // the manifest is complete, as the tag is only written after it.
            expect([before, attempted]).toContain(after);
          }
          // Whatever the tag points at is complete: it pulls, blobs verified.
          const current = await tagDigest('faults/chaos', 'stable');
          if (current) {
            const pulled = await pullArtifact(`oci://${registry.host}/faults/chaos:stable`, fast);
            expect(pulled.digest).toBe(current);
          }
        }
        expect(good.length).toBeGreaterThan(0);
        expect(proxy.log.filter((r) => r.outcome !== 'forwarded').length).toBeGreaterThan(5);
        expect(failures + good.length).toBe(12);
      },
    );
  });
});
