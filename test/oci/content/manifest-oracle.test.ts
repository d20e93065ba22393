import { rmSync } from 'node:fs';
import { buildArtifact } from '../../../src/oci/content/build.js';
import { gunzip } from '../../../src/oci/content/gzip/gzip.js';
import { makeTree } from './fixture-tree.js';
import { ORACLE_TIMEOUT_MS, oracleBinary, runOracle } from './oracle.js';

// The manifest and config bytes (and so the artifact digest for a given layer) must equal
// what go-containerregistry v0.21.6 writes for Flux 2.9. Our layer's gzip bytes differ from
// Go's deflate, so the oracle's manifest is compared after swapping in its layer descriptor.

let root: string;
beforeAll(() => {
  oracleBinary();
  root = makeTree([{ file: 'deploy/app.yaml', content: 'kind: ConfigMap\n' }]);
}, ORACLE_TIMEOUT_MS);
afterAll(() => rmSync(root, { recursive: true, force: true }));

function layerDescriptorJson(size: number, digest: string): string {
  return `{"mediaType":"application/vnd.cncf.flux.content.v1.tar+gzip","size":${size},"digest":"${digest}"}`;
}

const cases: { title: string; source: string; revision: string; annotations: string[] }[] = [
  {
    title: 'plain values',
    source: 'https://github.com/org/repo',
    revision: 'main@sha1:0123',
    annotations: [],
  },
  {
    title: 'HTML characters, quotes, control and non-ASCII characters',
    source: 'https://x/?a=1&b=<2>',
    revision: 'tag "v1" \\ \t\n\r\b\f\u0001\u007f é 日本 🚀 \u2028\u2029',
    annotations: [
      'zeta=last',
      'Alpha=upper sorts first',
      'org.opencontainers.image.source=overridden',
      'é=non-ascii key',
    ],
  },
  {
    title: 'custom created overrides the default',
    source: '',
    revision: '',
    annotations: ['org.opencontainers.image.created=2024-05-01T10:00:00+02:00'],
  },
];

describe('manifest and config bytes equal Flux 2.9', () => {
  test.each(cases)('$title', ({ source, revision, annotations }) => {
    const created = '1970-01-01T00:00:00Z';
    const flux = runOracle(root, { created, source, revision, annotations });
    const ours = buildArtifact({
      path: root,
      reproducible: true,
      source,
      revision,
      annotations: Object.fromEntries(annotations.map((a) => a.split('=') as [string, string])),
    });
    expect(Buffer.from(ours.config.bytes).equals(flux.config!)).toBe(true);
    // Same diffID, so only the compression differs.
    expect(Buffer.from(gunzip(ours.layers[0]!.bytes)).equals(flux.tar)).toBe(true);
    const fluxLayer = JSON.parse(flux.manifest!.toString()).layers[0];
    const ourLayer = ours.layers[0]!.descriptor;
    const expected = flux
      .manifest!.toString('utf8')
      .replace(
        layerDescriptorJson(fluxLayer.size, fluxLayer.digest),
        layerDescriptorJson(ourLayer.size, ourLayer.digest),
      );
    expect(Buffer.from(ours.manifest.bytes).toString('utf8')).toBe(expected);
  });
});
