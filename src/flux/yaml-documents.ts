import { parseAllDocuments, stringify } from 'yaml';
import { UserError } from '../errors.js';
import { isPlainMap, type KubeObject } from './kube-object.js';

/**
 * Parses a multi-document YAML stream into Kubernetes objects; empty documents are skipped.
 * `source` names the file in error messages.
 */
export function parseKubeObjects(text: string, source: string): KubeObject[] {
  const objects: KubeObject[] = [];
  for (const doc of parseAllDocuments(text)) {
    if (doc.errors.length > 0) {
      throw new UserError(`${source} is not valid YAML: ${doc.errors[0].message}; fix the file`);
    }
    const value: unknown = doc.toJS({ maxAliasCount: -1 });
    if (value === null || value === undefined) continue;
    if (!isKubeObject(value)) {
      throw new UserError(
        `${source} holds a document that is not a Kubernetes object (needs apiVersion, kind and metadata.name): ${JSON.stringify(value).slice(0, 120)}`,
      );
    }
    objects.push(value);
  }
  return objects;
}

function isKubeObject(value: unknown): value is KubeObject {
  return (
    isPlainMap(value) &&
    typeof value.apiVersion === 'string' &&
    typeof value.kind === 'string' &&
    isPlainMap(value.metadata) &&
    typeof value.metadata.name === 'string'
  );
}

/**
 * Serializes objects as one YAML stream the way kustomize prints it: documents separated by
 * `---`, map keys sorted at every level (kustomize goes through JSON and sigs.k8s.io/yaml).
 */
export function stringifyKubeObjects(objects: readonly KubeObject[]): string {
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
