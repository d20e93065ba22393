import { UserError } from '../../errors.js';

/**
 * A registry user name Basic auth can carry; `name` is how the user gave it. In a file of
 * its own so the artifact commands check `--username` without loading the bootstrap options.
 */
export function basicAuthUsername(name: string, value: string): string {
  if (value.includes(':')) {
    throw new UserError(
      `${name} '${value}' contains ':', which HTTP Basic auth's user-id cannot hold ` +
        "(it separates the user from the password): give the registry's user name without ':'",
    );
  }
  return value;
}
