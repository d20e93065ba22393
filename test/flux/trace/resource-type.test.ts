import { matchType, type ServedType } from '../../../src/flux/trace/resource-type.js';

// A cut of the harness API server's discovery (`kubectl api-resources`), core group first.
const types: ServedType[] = [
  {
    apiVersion: 'v1',
    kind: 'ConfigMap',
    resource: 'configmaps',
    singular: 'configmap',
    shortNames: ['cm'],
    namespaced: true,
  },
  {
    apiVersion: 'v1',
    kind: 'Event',
    resource: 'events',
    singular: 'event',
    shortNames: ['ev'],
    namespaced: true,
  },
  {
    apiVersion: 'apps/v1',
    kind: 'Deployment',
    resource: 'deployments',
    singular: 'deployment',
    shortNames: ['deploy'],
    namespaced: true,
  },
  {
    apiVersion: 'events.k8s.io/v1',
    kind: 'Event',
    resource: 'events',
    singular: 'event',
    shortNames: ['ev'],
    namespaced: true,
  },
  {
    apiVersion: 'kustomize.toolkit.fluxcd.io/v1',
    kind: 'Kustomization',
    resource: 'kustomizations',
    singular: '',
    shortNames: ['ks'],
    namespaced: true,
  },
];

describe('matchType', () => {
  test.each([
    ['Deployment', 'apps/v1'],
    ['deployment', 'apps/v1'],
    ['deployments', 'apps/v1'],
    ['deploy', 'apps/v1'],
    ['DEPLOY', 'apps/v1'],
    ['deployments.apps', 'apps/v1'],
    ['deployment.v1.apps', 'apps/v1'],
    ['cm', 'v1'],
    ['ks', 'kustomize.toolkit.fluxcd.io/v1'],
    // No singular name served: the kind in lower case stands for it.
    ['kustomization', 'kustomize.toolkit.fluxcd.io/v1'],
    ['kustomizations.kustomize.toolkit.fluxcd.io', 'kustomize.toolkit.fluxcd.io/v1'],
    // A name two groups serve: the core group's, as kubectl picks it.
    ['events', 'v1'],
    ['events.events.k8s.io', 'events.k8s.io/v1'],
  ])('%s is served by %s', (name, apiVersion) => {
    expect(matchType(types, name)?.apiVersion).toBe(apiVersion);
  });

  test.each(['deploymnet', 'deployments.extensions', 'deployment.v2.apps', 'apps', ''])(
    '%s matches nothing',
    (name) => {
      expect(matchType(types, name)).toBeUndefined();
    },
  );
});
