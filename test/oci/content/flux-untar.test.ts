import { mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { buildLayer } from '../../../src/oci/content/build.js';
import { makeTree } from './fixture-tree.js';
import { ORACLE_TIMEOUT_MS, oracleBinary, oracleUntar } from './oracle.js';

// source-controller unpacks OCI artifacts with fluxcd/pkg/tar's Untar (Go's gzip and tar
// readers). Our layer, pako-compressed, must come out of it as the tree we archived.

beforeAll(() => oracleBinary(), ORACLE_TIMEOUT_MS);

/** `path kind content` for files, `path dir` for directories, sorted. */
function describeTree(root: string, prefix = ''): string[] {
  return readdirSync(root, { withFileTypes: true }).flatMap((entry) => {
    const path = join(root, entry.name);
    const rel = `${prefix}${entry.name}`;
    if (entry.isDirectory()) return [`${rel}/`, ...describeTree(path, `${rel}/`)];
    const mode = (statSync(path).mode & 0o777).toString(8);
    return [`${rel} ${mode} ${readFileSync(path).toString('base64')}`];
  });
}

test('Flux Untar extracts our layer to the same tree', () => {
  const work = mkdtempSync(join(tmpdir(), 'flux-untar-'));
  const tree = makeTree([
    { file: 'apps/podinfo/deployment.yaml', content: 'kind: Deployment\n'.repeat(500) },
    { file: 'apps/podinfo/run.sh', content: '#!/bin/sh\n', mode: 0o755 },
    { file: 'secret.yaml', content: 'kind: Secret\n', mode: 0o600 },
    { file: `${'long-'.repeat(25)}/${'name-'.repeat(22)}.yaml`, content: 'long' },
    { file: 'ünï/café.yaml', content: 'utf8' },
    { file: 'binary.bin', content: Uint8Array.from({ length: 70_000 }, (_, i) => (i * 31) % 251) },
    { dir: 'empty' },
  ]);
  try {
    const layerFile = join(work, 'layer.tgz');
    writeFileSync(layerFile, buildLayer({ path: tree }).layer.bytes);
    const out = join(work, 'out');
    oracleUntar(layerFile, out);
    const extracted = describeTree(out).sort();
    expect(extracted).toEqual(describeTree(tree).sort());
    expect(extracted).toContain('empty/');
  } finally {
    rmSync(work, { recursive: true, force: true });
    rmSync(tree, { recursive: true, force: true });
  }
});
