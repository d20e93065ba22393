import { parseAllDocuments } from 'yaml';
import { UserError } from '../../errors.js';
import type { KubeObject } from './kube-object.js';

/**
 * Parses a multi-document YAML stream (`gotk-components.yaml`, `gotk-sync.yaml`) into
 * objects, skipping empty documents and comment-only ones. `List` kinds are flattened.
 * @param source names the stream in error messages
 */
export function parseManifests(text: string, source = 'manifests'): KubeObject[] {
  const objects: KubeObject[] = [];
  parseAllDocuments(text).forEach((doc, index) => {
    const where = `${source}, document ${index + 1}`;
    if (doc.errors.length > 0) {
      throw new UserError(`${where} is not valid YAML: ${doc.errors[0]!.message}`);
    }
    const value: unknown = doc.toJS();
    if (value === null || value === undefined) return;
    const items = isList(value) ? value.items : [value];
    items.forEach((item) => objects.push(checkObject(item, where)));
  });
  return objects;
}

function isList(value: unknown): value is { items: unknown[] } {
  const v = value as { kind?: unknown; items?: unknown };
  return typeof v.kind === 'string' && v.kind.endsWith('List') && Array.isArray(v.items);
}

function checkObject(value: unknown, where: string): KubeObject {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    throw new UserError(`${where} is not a Kubernetes object (a YAML mapping)`);
  }
  const object = value as Partial<KubeObject>;
  const missing = [
    typeof object.apiVersion === 'string' && object.apiVersion ? '' : 'apiVersion',
    typeof object.kind === 'string' && object.kind ? '' : 'kind',
    typeof object.metadata?.name === 'string' && object.metadata.name ? '' : 'metadata.name',
  ].filter(Boolean);
  if (missing.length > 0) {
    const name = object.kind ? `${object.kind} ` : '';
    throw new UserError(`${where}: ${name}object has no ${missing.join(', ')}`);
  }
  return object as KubeObject;
}
