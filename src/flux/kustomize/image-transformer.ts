import { UserError } from '../../errors.js';
import { isPlainMap, type KubeObject } from '../../kube/object.js';

/** One entry of a kustomization's `images:` list. */
export interface ImageOverride {
  /** Image name to match, without tag or digest (e.g. `fluxcd/source-controller`). */
  readonly name: string;
  /** @default - the name is kept */
  readonly newName?: string;
  /** @default - the tag is kept */
  readonly newTag?: string;
  /** @default - the digest is kept */
  readonly digest?: string;
}

const CONTAINER_LISTS = new Set(['containers', 'initContainers', 'ephemeralContainers']);

/**
 * Rewrites container images as kustomize's `images:` does: every `image` of every
 * containers/initContainers list anywhere in an object whose name (the part before the tag
 * or digest) equals an override's name. A new tag drops the digest and a new digest drops the
 * tag, unless both are given.
 */
export function applyImageOverrides(
  objects: readonly KubeObject[],
  overrides: readonly ImageOverride[],
): void {
  for (const override of overrides) {
    if (!override.name) {
      throw new UserError(`an images entry has no name; give the image name to replace`);
    }
    for (const object of objects) visit(object, override);
  }
}

function visit(node: unknown, override: ImageOverride): void {
  if (Array.isArray(node)) {
    for (const item of node) visit(item, override);
    return;
  }
  if (!isPlainMap(node)) return;
  for (const [key, value] of Object.entries(node)) {
    if (CONTAINER_LISTS.has(key) && Array.isArray(value)) {
      for (const container of value) {
        if (isPlainMap(container) && typeof container.image === 'string') {
          container.image = rewriteImage(container.image, override);
        }
      }
    }
    visit(value, override);
  }
}

function rewriteImage(image: string, override: ImageOverride): string {
  const parts = splitImage(image);
  if (parts.name !== override.name) return image;
  let { name, tag, digest } = parts;
  if (override.newName) name = override.newName;
  if (override.newTag && override.digest) {
    tag = override.newTag;
    digest = override.digest;
  } else if (override.newTag) {
    tag = override.newTag;
    digest = '';
  } else if (override.digest) {
    tag = '';
    digest = override.digest;
  }
  return name + (tag ? `:${tag}` : '') + (digest ? `@${digest}` : '');
}

/** Splits `host/path:tag@digest`; a ':' before the first '/' is a registry port, not a tag. */
export function splitImage(image: string): { name: string; tag: string; digest: string } {
  const slash = image.indexOf('/');
  const offset = slash > 0 ? slash : 0;
  const rest = image.slice(offset);
  const at = rest.indexOf('@');
  const colon = rest.indexOf(':');
  if (at < 0 && colon < 0) return { name: image, tag: '', digest: '' };
  if (at >= 0 && (colon < 0 || at < colon)) {
    return { name: image.slice(0, offset + at), tag: '', digest: image.slice(offset + at + 1) };
  }
  if (at >= 0) {
    return {
      name: image.slice(0, offset + colon),
      tag: image.slice(offset + colon + 1, offset + at),
      digest: image.slice(offset + at + 1),
    };
  }
  return { name: image.slice(0, offset + colon), tag: image.slice(offset + colon + 1), digest: '' };
}
