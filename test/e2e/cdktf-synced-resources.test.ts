// `dependsOn: flux.syncedResources` (providers rendering) under the real `cdktf synth`: in a
// stack other than the sync stack it ends the synth with our one line, not cdktf's circular
// dependency error and stack trace; in the sync stack, with a third stack depending on it,
// it synthesizes.
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { runCdktf, writeCdktfProject } from './support/cdktf-cli.js';

describe('cdktf synth with dependsOn: flux.syncedResources (providers rendering)', () => {
  let work: string;
  beforeEach(() => {
    work = mkdtempSync(join(tmpdir(), 'flux-oci-synced-'));
    writeCdktfProject(work, '../test/e2e/support/synced-resources-app.ts');
  });
  afterEach(() => rmSync(work, { recursive: true, force: true }));

  const synth = (stack: string) => runCdktf(work, ['synth'], { SYNCED_RESOURCES_IN: stack });
  /** The app's own stderr, which cdktf repeats indented under "Command output on stderr:". */
  const appLines = (output: string) =>
    output
      .slice(output.indexOf('Command output on stderr:'))
      .split('\n')
      .filter((line) => line.startsWith('    '))
      .map((line) => line.trim());

  test.each([
    [
      "the construct's own stack",
      'cluster',
      "✗ a resource of stack 'cluster' has dependsOn: flux.syncedResources, but with rendering " +
        "'providers' they are in stack 'cluster-sync', deployed after 'cluster': put the resource " +
        'in a stack of its own that calls addDependency(flux.syncStack!), or give the construct ' +
        "rendering: 'terraform-data'",
    ],
    [
      'a third stack',
      'apps',
      "✗ a resource of stack 'apps' has dependsOn: flux.syncedResources, but they are in stack " +
        "'cluster-sync' and Terraform's depends_on names resources of its own stack only: drop it " +
        "and call addDependency(flux.syncStack!) on stack 'apps'",
    ],
  ])(
    'in %s: one line naming the mistake and the fix, no stack trace',
    async (_, stack, line) => {
      const result = await synth(stack);
      expect(result.code).not.toBe(0);
      expect(appLines(result.output)).toEqual([line]);
      expect(result.output).not.toMatch(/circular dependency|Resolution error|\n\s+at /);
    },
    120_000,
  );

  test('in the sync stack, a third stack depending on it: synthesizes, each stack on its own', async () => {
    const result = await synth('cluster-sync');
    if (result.code !== 0) throw new Error(result.output);
    const stackJson = (name: string) =>
      JSON.parse(readFileSync(join(work, 'cdktf.out', 'stacks', name, 'cdk.tf.json'), 'utf8'));
    const sync = stackJson('cluster-sync');
    const objects = Object.keys(sync.resource.kubernetes_manifest).filter((k) => k !== 'workload');
    expect([...sync.resource.kubernetes_manifest.workload.depends_on].sort()).toEqual(
      [...objects.map((key) => `kubernetes_manifest.${key}`), 'terraform_data.wait'].sort(),
    );
    expect(stackJson('apps').data?.terraform_remote_state).toBeUndefined();
    const manifest = JSON.parse(readFileSync(join(work, 'cdktf.out', 'manifest.json'), 'utf8'));
    expect(manifest.stacks.apps.dependencies).toEqual(['cluster-sync']);
    expect(manifest.stacks['cluster-sync'].dependencies).toEqual(['cluster']);
  }, 120_000);
});
