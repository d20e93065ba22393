// Writes, for a bundle directory and install options, the kustomization directory that
// `flux install` generates before it runs kustomize (pkg/manifestgen/install), so that the
// real kustomize can serve as the oracle for src/flux/generate-components.ts. Written from
// the spec (section 5), independently of the code under test.
import { copyFileSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

export interface FluxInstallInputs {
  version: string;
  namespace: string;
  components: string[];
  registry: string;
  imagePullSecret: string;
  networkPolicy: boolean;
  watchAllNamespaces: boolean;
  logLevel: string;
  clusterDomain: string;
  tolerationKeys: string[];
}

export function writeFluxInstallKustomization(
  dir: string,
  bundleDir: string,
  o: FluxInstallInputs,
): void {
  mkdirSync(join(dir, 'roles'), { recursive: true });
  for (const c of o.components) copyFileSync(join(bundleDir, `${c}.yaml`), join(dir, `${c}.yaml`));
  copyFileSync(join(bundleDir, 'policies.yaml'), join(dir, 'policies.yaml'));
  let rbac = readFileSync(join(bundleDir, 'rbac.yaml'), 'utf8');
  if (o.namespace !== 'flux-system') rbac = rbac.split('flux-system').join(o.namespace);
  writeFileSync(join(dir, 'roles', 'rbac.yaml'), rbac);
  writeFileSync(
    join(dir, 'roles', 'kustomization.yaml'),
    `apiVersion: kustomize.config.k8s.io/v1beta1\nkind: Kustomization\nnamespace: ${o.namespace}\nresources:\n  - rbac.yaml\nnameSuffix: -${o.namespace}\n`,
  );
  writeFileSync(
    join(dir, 'namespace.yaml'),
    `apiVersion: v1\nkind: Namespace\nmetadata:\n  name: ${o.namespace}\n  labels:\n    pod-security.kubernetes.io/warn: restricted\n    pod-security.kubernetes.io/warn-version: latest\n`,
  );
  writeFileSync(
    join(dir, 'labels.yaml'),
    [
      'apiVersion: builtin',
      'kind: LabelTransformer',
      'metadata:',
      '  name: labels',
      'labels:',
      `  app.kubernetes.io/instance: ${o.namespace}`,
      `  app.kubernetes.io/version: "${o.version}"`,
      '  app.kubernetes.io/part-of: flux',
      'fieldSpecs:',
      '  - path: metadata/labels',
      '    create: true',
      '',
    ].join('\n'),
  );
  const node = [
    'apiVersion: apps/v1',
    'kind: Deployment',
    'metadata:',
    '  name: all',
    'spec:',
    '  template:',
    '    spec:',
    '      nodeSelector:',
    '        kubernetes.io/os: linux',
  ];
  if (o.imagePullSecret)
    node.push('      imagePullSecrets:', `       - name: ${o.imagePullSecret}`);
  if (o.tolerationKeys.length > 0) {
    node.push('      tolerations:');
    for (const k of o.tolerationKeys)
      node.push(`       - key: "${k}"`, '         operator: "Exists"');
  }
  writeFileSync(join(dir, 'node-selector.yaml'), node.join('\n') + '\n');

  const events = o.components.includes('notification-controller')
    ? `http://notification-controller.$(RUNTIME_NAMESPACE).svc.${o.clusterDomain}./`
    : '';
  const k: string[] = [
    'apiVersion: kustomize.config.k8s.io/v1beta1',
    'kind: Kustomization',
    `namespace: ${o.namespace}`,
    'transformers:',
    '  - labels.yaml',
    'resources:',
    '  - namespace.yaml',
  ];
  if (o.networkPolicy) k.push('  - policies.yaml');
  k.push('  - roles');
  for (const c of o.components) k.push(`  - ${c}.yaml`);
  k.push('patches:', '- path: node-selector.yaml', '  target:', '    kind: Deployment');
  const replace = (i: number, v: string) => [
    '    - op: replace',
    `      path: /spec/template/spec/containers/0/args/${i}`,
    `      value: ${v}`,
  ];
  for (const c of o.components) {
    k.push(
      '- target:',
      '    group: apps',
      '    version: v1',
      '    kind: Deployment',
      `    name: ${c}`,
      '  patch: |-',
    );
    if (c === 'notification-controller') {
      k.push(
        ...replace(0, `--watch-all-namespaces=${o.watchAllNamespaces}`),
        ...replace(1, `--log-level=${o.logLevel}`),
      );
      continue;
    }
    k.push(
      ...replace(0, `--events-addr=${events}`),
      ...replace(1, `--watch-all-namespaces=${o.watchAllNamespaces}`),
      ...replace(2, `--log-level=${o.logLevel}`),
    );
    if (c === 'source-controller' || c === 'source-watcher') {
      k.push(...replace(6, `--storage-adv-addr=${c}.$(RUNTIME_NAMESPACE).svc.${o.clusterDomain}.`));
    }
    if (
      (c === 'kustomize-controller' || c === 'helm-controller') &&
      o.components.includes('source-watcher')
    ) {
      k.push(
        '    - op: add',
        '      path: /spec/template/spec/containers/0/args/-',
        '      value: --feature-gates=ExternalArtifact=true',
      );
    }
  }
  k.push('images:');
  for (const c of o.components) k.push(`  - name: fluxcd/${c}`, `    newName: ${o.registry}/${c}`);
  writeFileSync(join(dir, 'kustomization.yaml'), k.join('\n') + '\n');
}
