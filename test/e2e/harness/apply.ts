// Applies YAML files to the harness cluster (server-side apply, field manager
// "flux-oci-harness") and waits until the CustomResourceDefinitions among them are
// Established. A test fixture loader, not the product's applier (src/bootstrap owns that).
import { readFile } from 'node:fs/promises';
import {
  KubeConfig,
  KubernetesObjectApi,
  PatchStrategy,
  type KubernetesObject,
} from '@kubernetes/client-node';
import { parseAllDocuments } from 'yaml';

export async function readManifests(files: string[]): Promise<KubernetesObject[]> {
  const objects: KubernetesObject[] = [];
  for (const file of files) {
    for (const doc of parseAllDocuments(await readFile(file, 'utf8'))) {
      const value = doc.toJS() as KubernetesObject | null;
      if (value && value.kind) objects.push(value);
    }
  }
  return objects;
}

export async function applyObjects(
  kubeconfigPath: string,
  objects: KubernetesObject[],
): Promise<void> {
  const kc = new KubeConfig();
  kc.loadFromFile(kubeconfigPath);
  const client = KubernetesObjectApi.makeApiClient(kc);
  for (const object of objects) {
    await client.patch(
      object,
      undefined,
      undefined,
      'flux-oci-harness',
      true,
      PatchStrategy.ServerSideApply,
    );
  }
  const crds = objects.filter((o) => o.kind === 'CustomResourceDefinition');
  for (const crd of crds) await waitEstablished(client, crd.metadata?.name ?? '');
}

export async function applyFiles(kubeconfigPath: string, files: string[]): Promise<void> {
  await applyObjects(kubeconfigPath, await readManifests(files));
}

interface Crd extends KubernetesObject {
  status?: { conditions?: { type: string; status: string; message?: string }[] };
}

async function waitEstablished(client: KubernetesObjectApi, name: string): Promise<void> {
  const deadline = Date.now() + 30_000;
  let last = 'no status';
  while (Date.now() < deadline) {
    const crd = await client.read<Crd>({
      apiVersion: 'apiextensions.k8s.io/v1',
      kind: 'CustomResourceDefinition',
      metadata: { name },
    });
    const established = crd.status?.conditions?.find((c) => c.type === 'Established');
    if (established?.status === 'True') return;
    last = established?.message ?? last;
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
  throw new Error(`CustomResourceDefinition ${name} not Established: ${last}`);
}
