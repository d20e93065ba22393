import { readFileSync } from 'node:fs';
import { dirname, isAbsolute, join, posix } from 'node:path';
import type { Operation } from 'fast-json-patch';
import { parse, parseAllDocuments } from 'yaml';
import { UserError } from '../../errors.js';
import type { ArtifactFile } from '../../oci/content/archive/memory-tree.js';
import type { ImageOverride } from './image-transformer.js';
import { isPlainMap, type PlainMap } from '../../kube/object.js';
import { checkPatchTarget, type PatchTarget } from './patch-target.js';

/** The components file the user's kustomization must list. */
export const COMPONENTS_FILE = 'gotk-components.yaml';

/** One patch of a kustomization, in the form it is applied. */
export type KustomizationPatch =
  | {
      readonly type: 'strategic-merge';
      readonly patch: PlainMap;
      readonly target?: PatchTarget;
      /** Where the patch was read from, for messages. */
      readonly source: string;
    }
  | {
      readonly type: 'json6902';
      readonly operations: readonly Operation[];
      readonly target: PatchTarget;
      readonly source: string;
    };

/** A user's kustomization.yaml for the components (`--kustomization`), read and checked. */
export interface UserKustomization {
  /** Path of the file, for messages. */
  readonly path: string;
  /** The file's text; it goes into the artifact unchanged. */
  readonly text: string;
  /** Patch files it names by path, to ship beside it in the artifact. */
  readonly patchFiles: readonly ArtifactFile[];
  /** Its patches in the order kustomize applies them. */
  readonly patches: readonly KustomizationPatch[];
  /** Its `images:` entries. */
  readonly images: readonly ImageOverride[];
}

const SUPPORTED_FIELDS = [
  'apiVersion',
  'kind',
  'metadata',
  'resources',
  'patches',
  'patchesStrategicMerge',
  'patchesJson6902',
  'images',
];
const IMAGE_FIELDS = new Set(['name', 'newName', 'newTag', 'digest']);

/** Reads and checks a kustomization.yaml file; patch files are read relative to it. */
export function readUserKustomization(path: string): UserKustomization {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch {
    throw new UserError(`cannot read the kustomization ${path}; check the --kustomization path`);
  }
  return parseUserKustomization(text, path, (relative) => readPatchFile(path, relative));
}

/**
 * Checks a kustomization's text. `readFile` returns the content of a file the kustomization
 * names, relative to its directory.
 */
export function parseUserKustomization(
  text: string,
  path: string,
  readFile: (relativePath: string) => string,
): UserKustomization {
  let doc: unknown;
  try {
    doc = parse(text);
  } catch (err) {
    throw new UserError(
      `the kustomization ${path} does not parse as YAML: ${(err as Error).message.split('\n')[0]}; fix the file`,
    );
  }
  if (!isPlainMap(doc)) {
    throw new UserError(
      `the kustomization ${path} is not a YAML map; write it as a kustomize Kustomization`,
    );
  }
  for (const key of Object.keys(doc)) {
    if (!SUPPORTED_FIELDS.includes(key)) {
      throw new UserError(
        `the kustomization ${path} uses "${key}", which is not supported for the Flux components; use only ${SUPPORTED_FIELDS.join(', ')}, or move it to the cluster artifact`,
      );
    }
  }
  if (doc.apiVersion !== undefined && doc.apiVersion !== 'kustomize.config.k8s.io/v1beta1') {
    throw new UserError(
      `the kustomization ${path} has apiVersion "${String(doc.apiVersion)}"; use kustomize.config.k8s.io/v1beta1`,
    );
  }
  if (doc.kind !== undefined && doc.kind !== 'Kustomization') {
    throw new UserError(
      `the kustomization ${path} has kind "${String(doc.kind)}"; it must be kind: Kustomization`,
    );
  }
  checkResources(doc.resources, path);
  const patchFiles: ArtifactFile[] = [];
  const readNamed = (relative: string, where: string): string => {
    checkRelativePath(relative, path, where);
    const content = readFile(relative);
    patchFiles.push({ path: posix.normalize(relative), content });
    return content;
  };
  const patches = [
    ...strategicMergePatches(doc.patchesStrategicMerge, path, readNamed),
    ...generalPatches(doc.patches, path, readNamed),
    ...json6902Patches(doc.patchesJson6902, path, readNamed),
  ];
  return { path, text, patchFiles, patches, images: imageOverrides(doc.images, path) };
}

function checkResources(resources: unknown, path: string): void {
  const list = Array.isArray(resources) ? resources : [];
  const names = list.map((r) => (typeof r === 'string' ? posix.normalize(r) : r));
  if (!names.includes(COMPONENTS_FILE)) {
    throw new UserError(
      `the kustomization ${path} does not list ${COMPONENTS_FILE} in resources; add "resources: [${COMPONENTS_FILE}]" so the Flux components are part of it`,
    );
  }
  const other = names.find((r) => r !== COMPONENTS_FILE);
  if (other !== undefined) {
    throw new UserError(
      `the kustomization ${path} lists the resource "${String(other)}"; the components artifact holds only ${COMPONENTS_FILE}, so put other resources in the cluster artifact`,
    );
  }
}

function strategicMergePatches(
  entries: unknown,
  path: string,
  readNamed: (relative: string, where: string) => string,
): KustomizationPatch[] {
  if (entries === undefined) return [];
  if (!Array.isArray(entries)) throw new UserError(`${path}: patchesStrategicMerge must be a list`);
  return entries.flatMap((entry, i) => {
    const where = `${path}: patchesStrategicMerge[${i}]`;
    if (typeof entry !== 'string' && !isPlainMap(entry)) {
      throw new UserError(`${where} must be a file path or an inline patch`);
    }
    const inline = typeof entry !== 'string' || entry.includes('\n');
    const text = inline
      ? typeof entry === 'string'
        ? entry
        : JSON.stringify(entry)
      : readNamed(entry, where);
    return parsePatchText(text, where, undefined);
  });
}

function generalPatches(
  entries: unknown,
  path: string,
  readNamed: (relative: string, where: string) => string,
): KustomizationPatch[] {
  if (entries === undefined) return [];
  if (!Array.isArray(entries)) throw new UserError(`${path}: patches must be a list`);
  return entries.flatMap((entry, i) => {
    const where = `${path}: patches[${i}]`;
    if (!isPlainMap(entry)) throw new UserError(`${where} must be a map with path or patch`);
    for (const key of Object.keys(entry)) {
      if (!['path', 'patch', 'target'].includes(key)) {
        throw new UserError(
          `${where} uses "${key}", which is not supported; use path or patch, and target`,
        );
      }
    }
    const target = entry.target === undefined ? undefined : targetOf(entry.target, where);
    const text = patchText(entry, where, readNamed);
    return parsePatchText(text, where, target);
  });
}

function json6902Patches(
  entries: unknown,
  path: string,
  readNamed: (relative: string, where: string) => string,
): KustomizationPatch[] {
  if (entries === undefined) return [];
  if (!Array.isArray(entries)) throw new UserError(`${path}: patchesJson6902 must be a list`);
  return entries.map((entry, i) => {
    const where = `${path}: patchesJson6902[${i}]`;
    if (!isPlainMap(entry) || entry.target === undefined) {
      throw new UserError(`${where} needs a target and a path or patch`);
    }
    const operations = jsonPatchOperations(patchText(entry, where, readNamed));
    if (!operations)
      throw new UserError(`${where} is not a JSON 6902 patch (a list of operations)`);
    return { type: 'json6902', operations, target: targetOf(entry.target, where), source: where };
  });
}

function patchText(
  entry: PlainMap,
  where: string,
  readNamed: (relative: string, where: string) => string,
): string {
  if (typeof entry.patch === 'string' && entry.path === undefined) return entry.patch;
  if (typeof entry.path === 'string' && entry.patch === undefined)
    return readNamed(entry.path, where);
  throw new UserError(`${where} needs exactly one of path (a file) or patch (inline text)`);
}

function targetOf(target: unknown, where: string): PatchTarget {
  if (!isPlainMap(target)) throw new UserError(`${where}: target must be a map`);
  return checkPatchTarget(target, where);
}

/** A patch text is a JSON 6902 patch when it parses as a list of operations, else a strategic merge. */
function parsePatchText(
  text: string,
  where: string,
  target: PatchTarget | undefined,
): KustomizationPatch[] {
  const operations = jsonPatchOperations(text);
  if (operations) {
    if (!target)
      throw new UserError(
        `${where} is a JSON 6902 patch without a target; add target: {kind, name}`,
      );
    return [{ type: 'json6902', operations, target, source: where }];
  }
  let docs: unknown[];
  try {
    docs = parseAllDocuments(text).map((d) => {
      if (d.errors.length > 0) throw d.errors[0];
      return d.toJS() as unknown;
    });
  } catch (err) {
    throw new UserError(
      `${where} does not parse: ${(err as Error).message.split('\n')[0]}; fix the patch`,
    );
  }
  return docs
    .filter((d) => d !== null && d !== undefined)
    .map((patch) => {
      if (!isPlainMap(patch))
        throw new UserError(
          `${where} is neither a strategic-merge patch (a map) nor a JSON 6902 patch`,
        );
      if (!target && (typeof patch.kind !== 'string' || !isPlainMap(patch.metadata))) {
        throw new UserError(
          `${where} has no target, so the patch itself needs kind and metadata.name`,
        );
      }
      return { type: 'strategic-merge' as const, patch, target, source: where };
    });
}

function jsonPatchOperations(text: string): Operation[] | undefined {
  let value: unknown;
  try {
    value = parse(text);
  } catch {
    return undefined;
  }
  if (!Array.isArray(value) || value.length === 0) return undefined;
  if (
    !value.every((op) => isPlainMap(op) && typeof op.op === 'string' && typeof op.path === 'string')
  ) {
    return undefined;
  }
  return value as Operation[];
}

function imageOverrides(images: unknown, path: string): ImageOverride[] {
  if (images === undefined) return [];
  if (!Array.isArray(images)) throw new UserError(`${path}: images must be a list`);
  return images.map((entry, i) => {
    const where = `${path}: images[${i}]`;
    if (!isPlainMap(entry) || typeof entry.name !== 'string') {
      throw new UserError(`${where} needs a name (the image to replace)`);
    }
    for (const [key, value] of Object.entries(entry)) {
      if (!IMAGE_FIELDS.has(key)) {
        throw new UserError(
          `${where} uses "${key}", which is not supported; use ${[...IMAGE_FIELDS].join(', ')}`,
        );
      }
      if (typeof value !== 'string') throw new UserError(`${where}: ${key} must be a string`);
    }
    return entry as unknown as ImageOverride;
  });
}

function checkRelativePath(relative: string, path: string, where: string): void {
  const normalized = posix.normalize(relative);
  if (isAbsolute(relative) || normalized === '..' || normalized.startsWith('../')) {
    throw new UserError(
      `${where} names ${relative}, outside the directory of ${path}; keep patch files next to the kustomization`,
    );
  }
}

function readPatchFile(kustomizationPath: string, relative: string): string {
  const file = join(dirname(kustomizationPath), relative);
  try {
    return readFileSync(file, 'utf8');
  } catch {
    throw new UserError(
      `cannot read the patch file ${file} named by ${kustomizationPath}; check the path`,
    );
  }
}
