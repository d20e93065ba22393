import { spawnSync } from 'node:child_process';
import { createRequire } from 'node:module';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..', '..');
const cdktf = createRequire(import.meta.url).resolve('cdktf');

// An app with a mistake in its props, on the built package (npm test builds before the unit
// tests), run as `cdktf synth` runs it (CDKTF_OUTDIR set).
const app = `
import { App, TerraformStack } from '${cdktf}';
import { FluxBootstrapOci } from '${join(root, 'dist', 'index.js')}';
const app = new App();
new FluxBootstrapOci(new TerraformStack(app, 'flux'), 'flux', {
  url: 'oci://ghcr.io/acme/flux-manifests:production',
  clusterUrl: 'oci://ghcr.io/acme/fleet:production',
  clusterPath: '../production',
});
app.synth();
`;

function runApp(dir: string, synth: boolean) {
  const env = { ...process.env, CDKTF_OUTDIR: synth ? join(dir, 'out') : undefined };
  const file = join(dir, 'app.mjs');
  writeFileSync(file, app);
  return spawnSync(process.execPath, [file], {
    cwd: dir,
    env,
    encoding: 'utf8',
    timeout: 120_000,
  });
}

describe('a mistake in the props during cdktf synth', () => {
  let outdir: string;
  beforeEach(() => (outdir = mkdtempSync(join(tmpdir(), 'flux-oci-synth-'))));
  afterEach(() => rmSync(outdir, { recursive: true, force: true }));

  test('ends the app with one line naming it and exit code 1, no stack trace', () => {
    const result = runApp(outdir, true);
    expect(result.stderr).toBe(
      `✗ cluster path "../production" must be a plain relative path without '.', '..' or '//'\n`,
    );
    expect(result.status).toBe(1);
  }, 120_000);

  test('outside cdktf synth the app is left to Node.js (the error keeps its stack)', () => {
    const result = runApp(outdir, false);
    expect(result.status).toBe(1);
    expect(result.stderr).toMatch(/UserError: cluster path[^\n]*\n\s+at /);
  }, 120_000);
});
