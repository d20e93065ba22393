import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { buildArtifact } from '../../src/oci/content/build.js';
import { readOciLayout, writeOciLayout } from '../../src/oci/layout.js';

describe('OCI image layout', () => {
  let dir: string;
  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'layout-test-'));
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  function sampleArtifact() {
    const tree = join(dir, 'tree');
    execFileSync('mkdir', ['-p', join(tree, 'flux-system')]);
    writeFileSync(join(tree, 'flux-system', 'kustomization.yaml'), 'resources: []\n');
    return buildArtifact({ path: tree, reproducible: true });
  }

  test('round-trips an artifact byte for byte', () => {
    const artifact = sampleArtifact();
    writeOciLayout(join(dir, 'layout'), artifact);
    const read = readOciLayout(join(dir, 'layout'));
    expect(read.manifest.descriptor.digest).toBe(artifact.manifest.descriptor.digest);
    expect(Buffer.from(read.layers[0].bytes)).toEqual(Buffer.from(artifact.layers[0].bytes));
    expect(Buffer.from(read.config.bytes)).toEqual(Buffer.from(artifact.config.bytes));
  });

  test('skopeo reads the layout and sees the same manifest digest', () => {
    const artifact = sampleArtifact();
    writeOciLayout(join(dir, 'layout'), artifact);
    const raw = execFileSync('skopeo', ['inspect', '--raw', `oci:${join(dir, 'layout')}`]);
    expect(Buffer.from(raw)).toEqual(Buffer.from(artifact.manifest.bytes));
  });

  test('refuses a corrupt blob, naming it', () => {
    const artifact = sampleArtifact();
    writeOciLayout(join(dir, 'layout'), artifact);
    const hex = artifact.layers[0].descriptor.digest.slice('sha256:'.length);
    writeFileSync(join(dir, 'layout', 'blobs', 'sha256', hex), 'tampered');
    expect(() => readOciLayout(join(dir, 'layout'))).toThrow(
      new RegExp(`blob ${artifact.layers[0].descriptor.digest} .* is corrupt`),
    );
  });

  test('refuses a directory that is not a layout', () => {
    expect(() => readOciLayout(dir)).toThrow(/is not an OCI image layout/);
  });
});
