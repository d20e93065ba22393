import { UserError } from '../errors.js';

/**
 * Parses `--annotations key=value` flags as Flux does: splitting on `=` must give exactly two
 * parts, so values containing `=` are refused.
 */
export function parseAnnotationFlags(values: readonly string[]): Record<string, string> {
  const annotations: Record<string, string> = {};
  for (const value of values) {
    const parts = value.split('=');
    if (parts.length !== 2) {
      throw new UserError(
        `invalid annotation "${value}": expected key=value with a single "=" (as in flux push artifact)`,
      );
    }
    annotations[parts[0]!] = parts[1]!;
  }
  return annotations;
}
