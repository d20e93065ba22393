import { parseAllDocuments, stringify } from 'yaml';
import { UserError } from '../errors.js';
import { isPlainMap, type KubeObject } from './object.js';

/**
 * Parses a multi-document YAML stream (`gotk-components.yaml`, a kustomization's resources)
 * into objects, skipping empty and comment-only documents. `List` kinds are flattened into
 * their items, as kubectl and kustomize read them. Aliases are expanded within the yaml
 * library's default limit, which refuses alias bombs (a few lines that expand to gigabytes).
 * @param source names the stream in error messages
 */
export function parseManifests(text: string, source = 'manifests'): KubeObject[] {
  const objects: KubeObject[] = [];
  parseAllDocuments(text).forEach((doc, index) => {
    const where = `${source}, document ${index + 1}`;
    if (doc.errors.length > 0) {
      throw new UserError(`${where} is not valid YAML: ${doc.errors[0]!.message}; fix the file`);
    }
    const value = toJS(doc, where);
    if (value === null || value === undefined) return;
    const items = isList(value) ? value.items : [value];
    items.forEach((item) => objects.push(checkObject(item, where)));
  });
  return objects;
}

/** The document's data; too many aliases (a resource exhaustion attack) is a user error too. */
function toJS(doc: ReturnType<typeof parseAllDocuments>[number], where: string): unknown {
  try {
    return doc.toJS();
  } catch (err) {
    throw new UserError(`${where} is not valid YAML: ${(err as Error).message}; fix the file`);
  }
}

function isList(value: unknown): value is { items: unknown[] } {
  const v = value as { kind?: unknown; items?: unknown };
  return typeof v.kind === 'string' && v.kind.endsWith('List') && Array.isArray(v.items);
}

function checkObject(value: unknown, where: string): KubeObject {
  if (!isPlainMap(value)) {
    throw new UserError(`${where} is not a Kubernetes object (a YAML mapping)`);
  }
  const object = value as Partial<KubeObject>;
  const missing = [
    typeof object.apiVersion === 'string' && object.apiVersion ? '' : 'apiVersion',
    typeof object.kind === 'string' && object.kind ? '' : 'kind',
    isPlainMap(object.metadata) && typeof object.metadata.name === 'string' && object.metadata.name
      ? ''
      : 'metadata.name',
  ].filter(Boolean);
  if (missing.length > 0) {
    const name = typeof object.kind === 'string' && object.kind ? `${object.kind} ` : '';
    throw new UserError(`${where}: ${name}object has no ${missing.join(', ')}`);
  }
  return object as KubeObject;
}

/**
 * Serializes objects as one YAML stream the way kustomize prints it: documents separated by
 * `---`, map keys sorted at every level (kustomize goes through JSON and sigs.k8s.io/yaml).
 */
export function stringifyManifests(objects: readonly KubeObject[]): string {
  return objects.map((o) => stringifyYaml(sortKeys(o))).join('---\n');
}

/** A copy of JSON-like data with the keys of every map in byte order. */
export function sortKeys(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(sortKeys);
  if (typeof value !== 'object' || value === null) return value;
  const map = value as Record<string, unknown>;
  return Object.fromEntries(
    Object.keys(map)
      .sort((a, b) => (a < b ? -1 : a > b ? 1 : 0))
      .map((k) => [k, sortKeys(map[k])]),
  );
}

/** YAML as kustomize writes it: block style, list items not indented, no line folding. */
export function stringifyYaml(value: unknown): string {
  return stringify(value, { indentSeq: false, lineWidth: 0, aliasDuplicateObjects: false });
}
