import { UserError } from '../errors.js';

const DNS_LABEL = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/;
const DNS_SUBDOMAIN = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$/;
const LABEL_NAME = /^([A-Za-z0-9]([-A-Za-z0-9_.]*[A-Za-z0-9])?)$/;

/** Throws unless `value` is an RFC 1123 DNS label (namespaces, some names). */
export function checkDnsLabel(value: string, what: string): void {
  if (value.length > 63 || !DNS_LABEL.test(value)) {
    throw new UserError(
      `${what} "${value}" is not a valid DNS label: use at most 63 lowercase letters, digits and '-', starting and ending with a letter or digit (e.g. flux-system)`,
    );
  }
}

/** Throws unless `value` is an RFC 1123 DNS subdomain (most object names, e.g. Secrets). */
export function checkDnsSubdomain(value: string, what: string): void {
  if (value.length > 253 || !DNS_SUBDOMAIN.test(value)) {
    throw new UserError(
      `${what} "${value}" is not a valid Kubernetes name: use at most 253 lowercase letters, digits, '-' and '.', starting and ending with a letter or digit`,
    );
  }
}

/**
 * Throws unless `value` is a qualified name as used for label and taint keys:
 * an optional DNS subdomain prefix and '/', then a name of at most 63 characters.
 */
export function checkQualifiedName(value: string, what: string): void {
  const slash = value.lastIndexOf('/');
  const prefix = slash < 0 ? '' : value.slice(0, slash);
  const name = slash < 0 ? value : value.slice(slash + 1);
  const prefixOk = slash < 0 || (prefix.length <= 253 && DNS_SUBDOMAIN.test(prefix));
  if (!prefixOk || name.length > 63 || !LABEL_NAME.test(name)) {
    throw new UserError(
      `${what} "${value}" is not a valid Kubernetes key: use [prefix/]name where name has at most 63 letters, digits, '-', '_' or '.', starting and ending with a letter or digit`,
    );
  }
}
