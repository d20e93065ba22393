import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { UserError } from '../../src/errors.js';
import {
  parseUserKustomization,
  readUserKustomization,
} from '../../src/flux/kustomize/user-kustomization.js';

const parse = (text: string, files: Record<string, string> = {}) =>
  parseUserKustomization(text, 'kustomization.yaml', (p) => {
    if (!(p in files)) throw new UserError(`missing ${p}`);
    return files[p];
  });

describe('user kustomization: everything else is refused, naming it', () => {
  test.each([
    [
      'resources: [gotk-components.yaml]\nnamespace: other\n',
      /uses "namespace", which is not supported for the Flux components/,
    ],
    ['resources: [gotk-components.yaml]\nconfigMapGenerator: []\n', /uses "configMapGenerator"/],
    ['resources: [gotk-components.yaml]\ncommonLabels: {a: b}\n', /uses "commonLabels"/],
    [
      'resources: [other.yaml]\n',
      /does not list gotk-components.yaml in resources; add "resources: \[gotk-components.yaml\]"/,
    ],
    ['patches: []\n', /does not list gotk-components.yaml/],
    [
      'resources: [gotk-components.yaml, gotk-sync.yaml]\n',
      /lists the resource "gotk-sync.yaml"; the components artifact holds only gotk-components.yaml/,
    ],
    [
      'kind: Component\nresources: [gotk-components.yaml]\n',
      /has kind "Component"; it must be kind: Kustomization/,
    ],
    [
      'apiVersion: kustomize.config.k8s.io/v1alpha1\nresources: [gotk-components.yaml]\n',
      /has apiVersion "kustomize.config.k8s.io\/v1alpha1"; use kustomize.config.k8s.io\/v1beta1/,
    ],
    ['resources: [gotk-components.yaml\n', /does not parse as YAML/],
    ['- a\n- b\n', /is not a YAML map/],
    [
      'resources: [gotk-components.yaml]\npatches:\n- path: p.yaml\n  options: {allowNameChange: true}\n',
      /patches\[0\] uses "options", which is not supported/,
    ],
    [
      'resources: [gotk-components.yaml]\npatches:\n- patch: "[{op: add, path: /a, value: 1}]"\n',
      /is a JSON 6902 patch without a target/,
    ],
    [
      'resources: [gotk-components.yaml]\npatches:\n- path: ../outside.yaml\n',
      /names ..\/outside.yaml, outside the directory of kustomization.yaml/,
    ],
    [
      'resources: [gotk-components.yaml]\npatches:\n- patch: "spec: {}"\n',
      /has no target, so the patch itself needs kind and metadata.name/,
    ],
    [
      'resources: [gotk-components.yaml]\npatches:\n- patch: "a: b"\n  target: {kind: Deployment, size: 3}\n',
      /target field "size" is not supported/,
    ],
    [
      'resources: [gotk-components.yaml]\nimages:\n- name: x\n  tagSuffix: -debug\n',
      /images\[0\] uses "tagSuffix", which is not supported; use name, newName, newTag, digest/,
    ],
    ['resources: [gotk-components.yaml]\nimages:\n- newTag: v1\n', /images\[0\] needs a name/],
    [
      'resources: [gotk-components.yaml]\npatchesJson6902:\n- path: p.yaml\n',
      /patchesJson6902\[0\] needs a target/,
    ],
  ])('%j', (text, message) => {
    expect(() => parse(text)).toThrow(UserError);
    expect(() => parse(text)).toThrow(message);
  });

  test('the minimal form is accepted', () => {
    const k = parse('resources:\n- ./gotk-components.yaml\n');
    expect(k.patches).toEqual([]);
    expect(k.images).toEqual([]);
  });

  test('a patch file that is missing is named', () => {
    const dir = mkdtempSync(join(tmpdir(), 'kust-err-'));
    try {
      writeFileSync(
        join(dir, 'kustomization.yaml'),
        'resources: [gotk-components.yaml]\npatches:\n- path: nope.yaml\n',
      );
      expect(() => readUserKustomization(join(dir, 'kustomization.yaml'))).toThrow(
        new RegExp(
          `cannot read the patch file ${dir}/nope.yaml named by ${dir}/kustomization.yaml`,
        ),
      );
      expect(() => readUserKustomization(join(dir, 'missing.yaml'))).toThrow(
        /cannot read the kustomization .*missing.yaml; check the --kustomization path/,
      );
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
