// The streamed layer builders: describeLayerStream (what `diff artifact` computes, nothing
// kept) gives the digest, size and diffID of the layer writeLayerStream writes (what `push
// artifact` uploads) for each compressor, and the portable one equals the in-memory build.
import { createHash } from 'node:crypto';
import { gunzipSync } from 'node:zlib';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { buildLayer, tarDiffId } from '../../../src/oci/content/build.js';
import { describeLayerStream, writeLayerStream } from '../../../src/oci/content/layer-stream.js';
import { makeTree } from './fixture-tree.js';

/** Base64 noise, `bytes` long: several 1 MiB blocks of the native deflate. */
function noise(seed: string, bytes: number): string {
  let out = '';
  for (let i = 0; out.length < bytes; i++) {
    out += createHash('sha512').update(`${seed}/${i}`).digest('base64');
  }
  return out.slice(0, bytes);
}

let tree: string;
let work: string;
beforeAll(() => {
  tree = makeTree([
    { file: 'data/a.txt', content: noise('a', 2.5 * 1024 * 1024) },
    { file: 'kustomization.yaml', content: 'resources: []\n' },
    { file: 'run.sh', content: '#!/bin/sh\n', mode: 0o755 },
  ]);
  work = mkdtempSync(join(tmpdir(), 'layer-stream-'));
});
afterAll(() => {
  rmSync(tree, { recursive: true, force: true });
  rmSync(work, { recursive: true, force: true });
});

test.each(['native', 'portable'] as const)(
  'describeLayerStream gives the descriptor and diffID of the layer writeLayerStream writes (%s)',
  async (compressor) => {
    const described = await describeLayerStream({ path: tree }, compressor);
    const written = await writeLayerStream({ path: tree }, join(work, compressor), compressor);
    const bytes = readFileSync(written.path);
    expect(described).toEqual({
      descriptor: written.descriptor,
      diffId: written.diffId,
      tarSize: gunzipSync(bytes).length,
    });
    expect(written.descriptor.size).toBe(bytes.length);
    expect(written.descriptor.digest).toBe(
      `sha256:${createHash('sha256').update(bytes).digest('hex')}`,
    );
    expect(described.diffId).toBe(tarDiffId({ path: tree }));
  },
);

test('the portable layer is the in-memory build (pako): the same digest on every machine', async () => {
  const built = buildLayer({ path: tree });
  expect(await describeLayerStream({ path: tree }, 'portable')).toEqual({
    descriptor: built.layer.descriptor,
    diffId: built.diffId,
    tarSize: gunzipSync(built.layer.bytes).length,
  });
});

test('the ignore rules apply: a file left out is not in the layer or its tar', async () => {
  const all = await describeLayerStream({ path: tree }, 'native');
  const without = await describeLayerStream({ path: tree, ignorePaths: ['run.sh'] }, 'native');
  expect(without.diffId).not.toBe(all.diffId);
  expect(without.descriptor.digest).not.toBe(all.descriptor.digest);
  expect(without.diffId).toBe(tarDiffId({ path: tree, ignorePaths: ['run.sh'] }));
});
