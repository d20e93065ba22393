// Staged server-side apply against a real kube-apiserver.
import { jest } from '@jest/globals';
import { startCluster } from '../harness/cluster.js';
import { START_TIMEOUT, STOP_TIMEOUT, teardown } from '../harness/teardown.js';
import { connectToCluster } from '../../../src/kube/connect.js';
import type { KubeClient } from '../../../src/kube/client.js';
import { applyManifests } from '../../../src/bootstrap/apply/apply-manifests.js';
import { ApplyError } from '../../../src/bootstrap/apply/apply-error.js';
import { formatChangeSet } from '../../../src/bootstrap/apply/change-set.js';
import type { KubeObject } from '../../../src/kube/object.js';
import { stringify } from 'yaml';
import { configMap, fluxLikeCrd, namespace, recordingLogger } from './fixtures.js';

jest.setTimeout(120_000);

let cluster: Awaited<ReturnType<typeof startCluster>>;
let client: KubeClient;

beforeAll(async () => {
  cluster = await startCluster();
  client = connectToCluster({ kubeconfig: cluster.kubeconfigPath });
}, START_TIMEOUT);
afterAll(() => teardown({ cluster }), STOP_TIMEOUT);

const gadget = (name: string, size: number): KubeObject => ({
  apiVersion: 'test.toolkit.fluxcd.io/v1',
  kind: 'Gadget',
  metadata: { name, namespace: 'staged' },
  spec: { size },
});

// Deliberately in the wrong order: the custom resource and the ConfigMap come before the
// Namespace and CRD they need.
function stagedManifests(size: number): string {
  return [
    gadget('first', size),
    configMap('staged', 'settings', { level: 'info' }),
    namespace('staged'),
    fluxLikeCrd('Gadget', 'gadgets'),
  ]
    .map((o) => `---\n${stringify(o)}`)
    .join('');
}

describe('applyManifests', () => {
  it('applies CRDs and Namespaces first, waits for the CRD, then the rest, reporting each object created', async () => {
    const logger = recordingLogger();
    const changes = await applyManifests(client, stagedManifests(1), { logger });
    expect(formatChangeSet(changes)).toBe(
      [
        'Namespace/staged created',
        'CustomResourceDefinition/gadgets.test.toolkit.fluxcd.io created',
        'Gadget/staged/first created',
        'ConfigMap/staged/settings created',
      ].join('\n'),
    );
    expect(logger.lines).toContain('✔ Gadget/staged/first created');
    const stored = await client.get(gadget('first', 1));
    expect(stored?.spec).toEqual({ size: 1 });
    const managers = (
      stored!.metadata.managedFields as { manager: string; operation: string }[]
    ).map((m) => `${m.manager}:${m.operation}`);
    expect(managers).toEqual(['flux-oci:Apply']);
  });

  it('reports every object unchanged when applied again, and writes nothing', async () => {
    const before = await client.get(gadget('first', 1));
    const changes = await applyManifests(client, stagedManifests(1));
    expect(changes.map((c) => c.action)).toEqual([
      'unchanged',
      'unchanged',
      'unchanged',
      'unchanged',
    ]);
    const after = await client.get(gadget('first', 1));
    expect(after?.metadata.resourceVersion).toBe(before?.metadata.resourceVersion);
  });

  it('reports only the changed object configured', async () => {
    const changes = await applyManifests(client, stagedManifests(2));
    expect(formatChangeSet(changes)).toBe(
      [
        'Namespace/staged unchanged',
        'CustomResourceDefinition/gadgets.test.toolkit.fluxcd.io unchanged',
        'Gadget/staged/first configured',
        'ConfigMap/staged/settings unchanged',
      ].join('\n'),
    );
    expect((await client.get(gadget('first', 2)))?.spec).toEqual({ size: 2 });
  });

  it('takes over fields another field manager set (force, as flux does)', async () => {
    const ref = configMap('staged', 'settings', {});
    await client.apply(configMap('staged', 'settings', { level: 'debug' }), {
      fieldManager: 'kubectl',
      force: true,
    });
    const changes = await applyManifests(client, [
      configMap('staged', 'settings', { level: 'info' }),
    ]);
    expect(changes.map((c) => c.action)).toEqual(['configured']);
    expect((await client.get(ref))?.data).toEqual({ level: 'info' });
  });

  it('fails on a field conflict when force is off, naming the object', async () => {
    await client.apply(configMap('staged', 'settings', { level: 'debug' }), {
      fieldManager: 'kubectl',
      force: true,
    });
    const attempt = applyManifests(client, [configMap('staged', 'settings', { level: 'info' })], {
      force: false,
    });
    await expect(attempt).rejects.toThrow(ApplyError);
    await expect(attempt).rejects.toThrow(
      /ConfigMap\/staged\/settings: dry-run failed, Conflict: .*conflict/,
    );
  });

  it('leaves objects owned by the given Kustomization alone', async () => {
    const owned = configMap('staged', 'owned', { version: 'v2.9.0' });
    owned.metadata.labels = {
      'kustomize.toolkit.fluxcd.io/name': 'flux-components',
      'kustomize.toolkit.fluxcd.io/namespace': 'staged',
    };
    await client.apply(owned, { fieldManager: 'kustomize-controller', force: true });
    const older = configMap('staged', 'owned', { version: 'v2.8.0' });
    const fresh = configMap('staged', 'not-yet-owned', { version: 'v2.8.0' });

    const changes = await applyManifests(client, [older, fresh], {
      skipOwnedBy: { name: 'flux-components', namespace: 'staged' },
    });
    expect(formatChangeSet(changes)).toBe(
      'ConfigMap/staged/owned skipped\nConfigMap/staged/not-yet-owned created',
    );
    expect((await client.get(older))?.data).toEqual({ version: 'v2.9.0' });

    const otherOwner = await applyManifests(client, [older], {
      skipOwnedBy: { name: 'flux-system' },
    });
    expect(otherOwner.map((c) => c.action)).toEqual(['configured']);
  });

  it('refuses a stage without writing any of it when one object is invalid', async () => {
    const good = configMap('staged', 'good', { a: '1' });
    const bad = configMap('staged', 'bad', { 'not a valid key!': '1' });
    const attempt = applyManifests(client, [good, bad]);
    await expect(attempt).rejects.toThrow(
      /1 object could not be applied:\n {2}ConfigMap\/staged\/bad: dry-run failed, Invalid: /,
    );
    expect(await client.get(good)).toBeUndefined();
  });

  it('names a kind the cluster does not serve', async () => {
    const unknown: KubeObject = {
      apiVersion: 'example.com/v1',
      kind: 'Unknown',
      metadata: { name: 'x', namespace: 'staged' },
    };
    await expect(applyManifests(client, [unknown])).rejects.toThrow(
      'Unknown/staged/x: dry-run failed, the cluster does not serve Unknown in example.com/v1',
    );
  });

  it('applies Secrets from stringData, reports them unchanged on re-apply, and never logs their data', async () => {
    const password = 'correct-horse-battery-staple';
    const secret: KubeObject = {
      apiVersion: 'v1',
      kind: 'Secret',
      metadata: { name: 'registry', namespace: 'staged' },
      type: 'Opaque',
      stringData: { username: 'flux', password },
    };
    const logger = recordingLogger();
    const first = await applyManifests(client, [secret], { logger });
    const second = await applyManifests(client, [secret], { logger });
    expect([...first, ...second].map((c) => c.action)).toEqual(['created', 'unchanged']);
    const stored = await client.get(secret);
    expect(
      Buffer.from((stored!.data as Record<string, string>).password!, 'base64').toString(),
    ).toBe(password);
    const printed = logger.lines.join('\n') + formatChangeSet([...first, ...second]);
    expect(printed).not.toContain(password);
    expect(printed).not.toContain(Buffer.from(password).toString('base64'));

    const invalid: KubeObject = { ...secret, type: 'kubernetes.io/dockerconfigjson' };
    const failure = await applyManifests(client, [invalid], { logger }).catch((e: Error) => e);
    expect(failure).toBeInstanceOf(ApplyError);
    expect((failure as Error).message).toContain('Secret/staged/registry');
    expect((failure as Error).message).not.toContain(password);
    expect(logger.lines.join('\n')).not.toContain(password);
  });

  it('puts namespaced objects without a namespace into the default one', async () => {
    const changes = await applyManifests(
      client,
      [{ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'defaulted' }, data: {} }],
      { defaultNamespace: 'staged' },
    );
    expect(formatChangeSet(changes)).toBe('ConfigMap/staged/defaulted created');
  });

  it('creates afresh an object that is still being deleted, once it is gone', async () => {
    const held = configMap('staged', 'held', { generation: 'old' });
    held.metadata.finalizers = ['example.com/hold'];
    await applyManifests(client, [held]);
    await client.delete(held);
    expect((await client.get(held))?.metadata.deletionTimestamp).toBeDefined();

    const refused = await applyManifests(
      client,
      [configMap('staged', 'held', { generation: 'new' })],
      {
        terminationTimeoutMs: 500,
      },
    ).catch((e: Error) => e);
    expect((refused as Error).message).toMatch(
      /^1 object could not be applied:\n {2}ConfigMap\/staged\/held: is being deleted since \S+ and still there after 500ms, held by finalizers example\.com\/hold; wait until it is gone and apply again$/,
    );

    // The applier reads the object through this client: once it has seen it still being
    // deleted, it is waiting, and the finalizer is removed (what its controller would do).
    let onSeenTerminating = (): void => undefined;
    const seenTerminating = new Promise<void>((resolve) => (onSeenTerminating = resolve));
    const watched = new Proxy(client, {
      get(target, property) {
        if (property === 'get') {
          return async (...args: Parameters<KubeClient['get']>) => {
            const object = await target.get(...args);
            if (args[0].name === 'held' && object?.metadata.deletionTimestamp) onSeenTerminating();
            return object;
          };
        }
        const value: unknown = Reflect.get(target, property, target);
        return typeof value === 'function' ? value.bind(target) : value;
      },
    });
    const applying = applyManifests(watched, [configMap('staged', 'held', { generation: 'new' })]);
    await Promise.race([
      seenTerminating,
      applying.then(() => {
        throw new Error('the apply finished without seeing the object being deleted');
      }),
    ]);
    await client.mergePatch(held, { metadata: { finalizers: null } });
    const changes = await applying;
    expect(formatChangeSet(changes)).toBe('ConfigMap/staged/held created');
    const fresh = await client.get(held);
    expect(fresh?.data).toEqual({ generation: 'new' });
    expect(fresh?.metadata.deletionTimestamp).toBeUndefined();
  });
});
