// Applies YAML files to the harness cluster (server-side apply as plain JSON, field manager
// "flux-oci-harness", forced) and waits until the CustomResourceDefinitions among them are
// Established. A fixture loader for the tests, not the product's applier (src/bootstrap).
import { readFile } from 'node:fs/promises';
import { parseAllDocuments } from 'yaml';
import { KubeRequester } from './kube-request.js';

export interface ManifestObject {
  apiVersion: string;
  kind: string;
  metadata: { name: string; namespace?: string };
  [key: string]: unknown;
}

export async function readManifests(files: string[]): Promise<ManifestObject[]> {
  const objects: ManifestObject[] = [];
  for (const file of files) {
    for (const doc of parseAllDocuments(await readFile(file, 'utf8'))) {
      const value = doc.toJS() as ManifestObject | null;
      if (value && value.kind) objects.push(value);
    }
  }
  return objects;
}

interface ResourceList {
  resources: { name: string; kind: string; namespaced: boolean }[];
}

/** The REST path of an object, from API discovery. */
async function objectPath(kube: KubeRequester, object: ManifestObject): Promise<string> {
  const groupVersion = object.apiVersion.includes('/')
    ? `/apis/${object.apiVersion}`
    : `/api/${object.apiVersion}`;
  const list = (await kube.ok('GET', groupVersion)) as ResourceList;
  const resource = list.resources.find((r) => r.kind === object.kind && !r.name.includes('/'));
  if (!resource) throw new Error(`${object.apiVersion} ${object.kind} is not served`);
  const namespace = resource.namespaced
    ? `/namespaces/${object.metadata.namespace ?? 'default'}`
    : '';
  return `${groupVersion}${namespace}/${resource.name}/${object.metadata.name}`;
}

export async function applyObjects(
  kubeconfigPath: string,
  objects: ManifestObject[],
): Promise<void> {
  const kube = new KubeRequester(kubeconfigPath);
  for (const object of objects) {
    const path = await objectPath(kube, object);
    await kube.ok(
      'PATCH',
      `${path}?fieldManager=flux-oci-harness&force=true`,
      object,
      'application/apply-patch+yaml',
    );
  }
  for (const crd of objects.filter((o) => o.kind === 'CustomResourceDefinition')) {
    await waitEstablished(kube, crd.metadata.name);
  }
}

export async function applyFiles(kubeconfigPath: string, files: string[]): Promise<void> {
  await applyObjects(kubeconfigPath, await readManifests(files));
}

interface Crd {
  status?: { conditions?: { type: string; status: string; message?: string }[] };
}

async function waitEstablished(kube: KubeRequester, name: string): Promise<void> {
  const deadline = Date.now() + 30_000;
  let last = 'no status';
  while (Date.now() < deadline) {
    const crd = (await kube.ok(
      'GET',
      `/apis/apiextensions.k8s.io/v1/customresourcedefinitions/${name}`,
    )) as Crd;
    const established = crd.status?.conditions?.find((c) => c.type === 'Established');
    if (established?.status === 'True') return;
    last = established?.message ?? last;
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
  throw new Error(`CustomResourceDefinition ${name} not Established: ${last}`);
}
