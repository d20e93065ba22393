import { UserError } from '../errors.js';

/** The controllers `flux install` deploys when `--components` is not given, in Flux's order. */
export const DEFAULT_COMPONENTS: readonly string[] = [
  'source-controller',
  'kustomize-controller',
  'helm-controller',
  'notification-controller',
];

/** The controllers allowed in `--components-extra`. */
export const EXTRA_COMPONENTS: readonly string[] = [
  'image-reflector-controller',
  'image-automation-controller',
  'source-watcher',
];

/**
 * The final component list, `components` followed by `extra` as `flux install` builds it;
 * unknown names are refused.
 */
export function resolveComponents(
  components: readonly string[] = DEFAULT_COMPONENTS,
  extra: readonly string[] = [],
): string[] {
  for (const name of extra) {
    if (!EXTRA_COMPONENTS.includes(name)) {
      throw new UserError(
        `"${name}" is not an extra Flux component; --components-extra accepts ${EXTRA_COMPONENTS.join(', ')}`,
      );
    }
  }
  const all = [...components, ...extra];
  const known = [...DEFAULT_COMPONENTS, ...EXTRA_COMPONENTS];
  for (const name of all) {
    if (!known.includes(name)) {
      throw new UserError(`"${name}" is not a Flux component; choose from ${known.join(', ')}`);
    }
  }
  if (all.length === 0) {
    throw new UserError(
      `no Flux components selected; --components needs at least one of ${DEFAULT_COMPONENTS.join(', ')}`,
    );
  }
  const duplicate = all.find((name, i) => all.indexOf(name) !== i);
  if (duplicate) {
    throw new UserError(`Flux component "${duplicate}" is listed twice; name each component once`);
  }
  return all;
}
