import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { writeArtifactFiles } from '../../src/flux/artifact-files.js';
import { componentsContent } from '../../src/flux/components-content.js';
import { generateComponents } from '../../src/flux/generate-components.js';
import { loadLocalManifests } from '../../src/flux/manifests/source.js';
import {
  parseUserKustomization,
  readUserKustomization,
} from '../../src/flux/kustomize/user-kustomization.js';
import { kustomizeBinary, kustomizeBuild } from './kustomize-oracle.js';

const BUNDLE = join(import.meta.dirname, '..', 'fixtures', 'flux-bundle');

/** Kustomizations (and the patch files beside them), each checked against kustomize. */
const CASES: Record<string, Record<string, string>> = {
  'strategic merge: containers, env, volumes by name; a sidecar': {
    'kustomization.yaml': `apiVersion: kustomize.config.k8s.io/v1beta1
kind: Kustomization
resources:
  - gotk-components.yaml
patches:
  - target:
      kind: Deployment
      name: "(source|kustomize)-controller"
    patch: |
      apiVersion: apps/v1
      kind: Deployment
      metadata:
        name: any
      spec:
        template:
          spec:
            containers:
              - name: manager
                env:
                  - name: GOMEMLIMIT
                    value: 900MiB
                  - name: HTTPS_PROXY
                    value: http://proxy:3128
                resources:
                  limits:
                    memory: 2Gi
                volumeMounts:
                  - name: cache
                    mountPath: /cache
              - name: sidecar
                image: busybox:1.36
            volumes:
              - name: temp
                emptyDir:
                  medium: Memory
              - name: cache
                emptyDir: {}
`,
  },
  'strategic merge without target, by kind and name (workload identity)': {
    'kustomization.yaml': `apiVersion: kustomize.config.k8s.io/v1beta1
kind: Kustomization
resources:
  - gotk-components.yaml
patches:
  - patch: |
      apiVersion: v1
      kind: ServiceAccount
      metadata:
        name: source-controller
        namespace: flux-system
        annotations:
          eks.amazonaws.com/role-arn: arn:aws:iam::111122223333:role/flux
  - path: node-patch.yaml
`,
    'node-patch.yaml': `apiVersion: apps/v1
kind: Deployment
metadata:
  name: helm-controller
  namespace: flux-system
spec:
  template:
    spec:
      tolerations:
        - key: only-this
          operator: Exists
      nodeSelector:
        kubernetes.io/os: null
        role: flux
`,
  },
  'new list elements go first; tolerations replaced': {
    'kustomization.yaml': `apiVersion: kustomize.config.k8s.io/v1beta1
kind: Kustomization
resources:
  - gotk-components.yaml
patches:
  - patch: |
      apiVersion: apps/v1
      kind: Deployment
      metadata:
        name: source-controller
        namespace: flux-system
      spec:
        template:
          spec:
            containers:
              - name: proxy
                image: envoy:1
                ports:
                  - containerPort: 9901
            tolerations:
              - key: a
                operator: Exists
              - key: b
                operator: Equal
                value: c
`,
  },
  'targets by namespace and annotation selector; images behind a registry port': {
    'kustomization.yaml': `apiVersion: kustomize.config.k8s.io/v1beta1
kind: Kustomization
resources:
  - gotk-components.yaml
patches:
  - target:
      kind: Deployment
      namespace: flux-system
      annotationSelector: prometheus.io/scrape=true
    patch: |
      - op: add
        path: /spec/template/metadata/annotations/team
        value: platform
  - target:
      version: v1
      kind: Service
      name: webhook-.*
    patch: |
      apiVersion: v1
      kind: Service
      metadata:
        name: any
        annotations:
          lb: internal
      spec:
        type: LoadBalancer
        ports:
          - name: http
            port: 80
            nodePort: 30080
          - name: https
            port: 443
            targetPort: https
images:
  - name: localhost:5000/fluxcd/helm-controller
    newName: localhost:5001/helm
    newTag: v2
`,
  },
  'two-key lists: ports by port and protocol, topology spread constraints': {
    'kustomization.yaml': `apiVersion: kustomize.config.k8s.io/v1beta1
kind: Kustomization
resources:
  - gotk-components.yaml
patches:
  - path: ports.yaml
`,
    'ports.yaml': `apiVersion: apps/v1
kind: Deployment
metadata:
  name: source-controller
  namespace: flux-system
spec:
  template:
    spec:
      topologySpreadConstraints:
        - maxSkew: 1
          topologyKey: zone
          whenUnsatisfiable: DoNotSchedule
      containers:
        - name: manager
          ports:
            - containerPort: 9090
              name: renamed
            - containerPort: 8080
              protocol: TCP
              hostPort: 18080
            - containerPort: 7070
            - containerPort: 6060
              protocol: UDP
---
apiVersion: apps/v1
kind: Deployment
metadata:
  name: kustomize-controller
  namespace: flux-system
spec:
  template:
    spec:
      topologySpreadConstraints:
        - maxSkew: 2
          topologyKey: zone
`,
  },
  'lists without a schema merge key: subjects, CRD versions, rules': {
    'kustomization.yaml': `apiVersion: kustomize.config.k8s.io/v1beta1
kind: Kustomization
resources:
  - gotk-components.yaml
patches:
  - patch: |
      apiVersion: rbac.authorization.k8s.io/v1
      kind: ClusterRoleBinding
      metadata:
        name: cluster-reconciler-flux-system
      subjects:
        - kind: ServiceAccount
          name: extra
          namespace: tenants
        - kind: ServiceAccount
          name: helm-controller
          namespace: other
  - patch: |
      apiVersion: rbac.authorization.k8s.io/v1
      kind: ClusterRole
      metadata:
        name: flux-view-flux-system
      rules:
        - apiGroups: ['']
          resources: [configmaps]
          verbs: [get]
  - target:
      kind: CustomResourceDefinition
      name: ocirepositories.source.toolkit.fluxcd.io
    patch: |
      apiVersion: apiextensions.k8s.io/v1
      kind: CustomResourceDefinition
      metadata:
        name: x
        annotations:
          note: patched
      spec:
        versions:
          - name: v1
            served: true
            deprecated: true
`,
  },
  '$patch delete and replace, null deletes a field': {
    'kustomization.yaml': `apiVersion: kustomize.config.k8s.io/v1beta1
kind: Kustomization
resources:
  - gotk-components.yaml
patchesStrategicMerge:
  - delete-policy.yaml
  - |-
    apiVersion: apps/v1
    kind: Deployment
    metadata:
      name: notification-controller
      namespace: flux-system
    spec:
      template:
        spec:
          securityContext:
            fsGroup: null
          containers:
            - name: manager
              env:
                - name: GOMEMLIMIT
                  $patch: delete
              resources:
                $patch: replace
                requests:
                  cpu: 10m
          volumes:
            - name: temp
              $patch: delete
`,
    'delete-policy.yaml': `$patch: delete
apiVersion: networking.k8s.io/v1
kind: NetworkPolicy
metadata:
  name: allow-scraping
  namespace: flux-system
`,
  },
  'JSON 6902 with label selector and files; images': {
    'kustomization.yaml': `apiVersion: kustomize.config.k8s.io/v1beta1
kind: Kustomization
resources:
- ./gotk-components.yaml
patches:
- target:
    kind: Deployment
    labelSelector: app.kubernetes.io/component in (kustomize-controller,helm-controller)
  patch: |
    - op: add
      path: /spec/template/spec/containers/0/args/-
      value: --concurrent=20
    - op: replace
      path: /spec/replicas
      value: 2
patchesJson6902:
- target:
    group: apps
    version: v1
    kind: Deployment
    name: source-controller
  path: sc-patch.yaml
images:
- name: localhost:5000/fluxcd/source-controller
  newTag: v9.9.9
- name: localhost:5000/fluxcd/kustomize-controller
  newName: mirror.example.com/kc
  digest: sha256:0000000000000000000000000000000000000000000000000000000000000001
`,
    'sc-patch.yaml': `[{"op": "remove", "path": "/spec/template/spec/containers/0/args/3"},
 {"op": "add", "path": "/metadata/annotations", "value": {"team": "platform"}}]
`,
  },
};

describe('user kustomization applied before the first apply equals kustomize build of the artifact', () => {
  // A cold machine builds kustomize from its Go module first (cached afterwards).
  beforeAll(() => void kustomizeBinary(), 15 * 60_000);
  const work = mkdtempSync(join(tmpdir(), 'flux-kust-'));
  afterAll(() => rmSync(work, { recursive: true, force: true }));

  test.each(Object.entries(CASES))('%s', async (name, files) => {
    const input = join(work, name.replace(/\W+/g, '-'), 'input');
    await writeArtifactFiles(
      Object.entries(files).map(([path, content]) => ({ path, content })),
      input,
    );
    const kustomization = readUserKustomization(join(input, 'kustomization.yaml'));

    const bundle = await loadLocalManifests(BUNDLE, 'v2.9.4');
    const components = generateComponents(bundle, {
      tolerationKeys: ['dedicated'],
      registry: 'localhost:5000/fluxcd',
    });
    const artifact = componentsContent(components, 'flux-system', kustomization);
    const out = await writeArtifactFiles(
      artifact.files,
      join(work, name.replace(/\W+/g, '-'), 'artifact'),
    );

    const expected = kustomizeBuild(join(out, 'flux-system'));
    expect(JSON.parse(JSON.stringify(artifact.objects))).toEqual(expected);
    // and the patches did change something
    expect(JSON.parse(JSON.stringify(components.objects))).not.toEqual(expected);
  });

  test('the artifact holds the components, the kustomization verbatim and its patch files', async () => {
    const dir = join(work, 'layout');
    await writeArtifactFiles(
      [
        {
          path: 'kustomization.yaml',
          content: CASES['JSON 6902 with label selector and files; images']['kustomization.yaml'],
        },
        { path: 'sc-patch.yaml', content: '[{"op": "remove", "path": "/spec/replicas"}]' },
      ],
      dir,
    );
    const kustomization = readUserKustomization(join(dir, 'kustomization.yaml'));
    const bundle = await loadLocalManifests(BUNDLE, 'v2.9.4');
    const artifact = componentsContent(generateComponents(bundle), 'flux-system', kustomization);
    expect(artifact.files.map((f) => f.path)).toEqual([
      'flux-system/gotk-components.yaml',
      'flux-system/kustomization.yaml',
      'flux-system/sc-patch.yaml',
    ]);
    expect(artifact.files[1].content).toBe(kustomization.text);
  });

  test('without a user kustomization, the default one lists gotk-components.yaml and kustomize agrees', async () => {
    const bundle = await loadLocalManifests(BUNDLE, 'v2.9.4');
    const components = generateComponents(bundle, { namespace: 'flux' });
    const artifact = componentsContent(components, 'flux');
    expect(artifact.files[1]).toEqual({
      path: 'flux/kustomization.yaml',
      content:
        'apiVersion: kustomize.config.k8s.io/v1beta1\nkind: Kustomization\nresources:\n- gotk-components.yaml\n',
    });
    const out = await writeArtifactFiles(artifact.files, join(work, 'default'));
    expect(JSON.parse(JSON.stringify(artifact.objects))).toEqual(kustomizeBuild(join(out, 'flux')));
  });

  test('a patch without namespace matches nothing namespaced, as in kustomize: an error naming it', () => {
    const text = `resources: [gotk-components.yaml]
patches:
  - patch: |
      apiVersion: v1
      kind: ServiceAccount
      metadata:
        name: source-controller
`;
    return loadLocalManifests(BUNDLE, 'v2.9.4').then((bundle) => {
      const kustomization = parseUserKustomization(text, 'k.yaml', () => '');
      expect(() =>
        componentsContent(generateComponents(bundle), 'flux-system', kustomization),
      ).toThrow(
        /k.yaml: patches\[0\]: no object matches the patch for ServiceAccount\/source-controller; .*namespace/,
      );
    });
  });
});
