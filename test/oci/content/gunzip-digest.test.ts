// GunzipDigest, the remote side of `diff artifact`: the sha256 of what a gzip stream
// decompresses to, fed as a download's pieces arrive, equals hashing gunzipSync's output;
// bad streams are named in one line, and a retry starts over.
import { createHash } from 'node:crypto';
import { gunzipSync, gzipSync } from 'node:zlib';
import { UserError } from '../../../src/errors.js';
import { GunzipDigest } from '../../../src/oci/content/gzip/gunzip-digest.js';

const sha256 = (bytes: Uint8Array): string =>
  `sha256:${createHash('sha256').update(bytes).digest('hex')}`;

/** Feeds `bytes` in pieces of `size`, as a socket would hand them over. */
async function feed(digest: GunzipDigest, bytes: Buffer, size: number): Promise<void> {
  for (let at = 0; at < bytes.length; at += size) {
    await digest.write(bytes.subarray(at, at + size));
  }
}

/** Text that compresses and spans many decompressed pieces. */
const text = Buffer.from(
  Array.from({ length: 20_000 }, (_, i) => `line ${i}: ${(i * 2654435761) % 1000003}\n`).join(''),
);

test.each([13, 4096, 1 << 20])(
  'hashes the decompressed bytes of every member, fed in pieces of %i bytes',
  async (size) => {
    // Two members, as `cat a.gz b.gz`: gunzip reads both.
    const blob = Buffer.concat([gzipSync(text.subarray(0, 1000)), gzipSync(text.subarray(1000))]);
    expect(gunzipSync(blob).equals(text)).toBe(true);
    const digest = new GunzipDigest();
    await feed(digest, blob, size);
    expect(await digest.digest()).toBe(sha256(text));
  },
);

test('begin() starts over: a retried download counts only its last attempt', async () => {
  const digest = new GunzipDigest();
  await digest.write(Buffer.from('not gzip at all'));
  digest.begin();
  await feed(digest, gzipSync(text).subarray(0, 5000), 1000); // a download cut short
  digest.begin();
  await feed(digest, gzipSync(text), 65536);
  expect(await digest.digest()).toBe(sha256(text));
});

test('has no size limit by default: past the 100 MiB of an in-memory gunzip', async () => {
  const zeros = Buffer.alloc(101 * 1024 * 1024);
  const blob = gzipSync(zeros, { level: 9 });
  const digest = new GunzipDigest();
  await feed(digest, blob, 65536);
  expect(await digest.digest()).toBe(sha256(zeros));
});

test('gives no digest for a stream past stopAfter; exactly stopAfter bytes still give theirs', async () => {
  const longer = new GunzipDigest({ stopAfter: text.length - 1 });
  await feed(longer, gzipSync(text), 4096);
  expect(await longer.digest()).toBeUndefined();

  const exact = new GunzipDigest({ stopAfter: text.length });
  await feed(exact, gzipSync(text), 4096);
  expect(await exact.digest()).toBe(sha256(text));
});

test('refuses output beyond maxSize as a possible decompression bomb', async () => {
  const digest = new GunzipDigest({ maxSize: 1024 * 1024, what: 'layer sha256:abc of r/a:v1' });
  await feed(digest, gzipSync(Buffer.alloc(4 * 1024 * 1024)), 1024);
  await expect(digest.digest()).rejects.toThrow(
    new UserError(
      'layer sha256:abc of r/a:v1 decompresses to more than 1048576 bytes; refusing it as a possible decompression bomb (raise the limit if the content is trusted)',
    ),
  );
});

test.each([
  [
    'plain text',
    Buffer.from('apiVersion: v1\n'),
    /^layer is not gzip-compressed \(it does not start with 1f 8b\); it is not a Flux artifact's layer: push it with flux-oci or flux push artifact$/,
  ],
  ['nothing', Buffer.alloc(0), /^layer is not gzip-compressed/],
  ['one byte', Buffer.from([0x1f]), /^layer is not gzip-compressed/],
  [
    'a cut stream',
    gzipSync(text).subarray(0, 3000),
    /^layer is not valid gzip: unexpected end of file; the artifact is damaged: push it again$/,
  ],
  [
    'a corrupt stream',
    Buffer.concat([gzipSync(text).subarray(0, 10), Buffer.alloc(64, 0xff)]),
    /^layer is not valid gzip: /,
  ],
])('names %s as a bad layer, in one line', async (_, blob, message) => {
  const digest = new GunzipDigest();
  await feed(digest, blob, 512);
  const error = await digest.digest().catch((err: unknown) => err);
  expect(error).toBeInstanceOf(UserError);
  expect((error as Error).message).toMatch(message);
});
