import { BlockList, isIP } from 'node:net';

/**
 * Link-local addresses: the instance metadata services (AWS IMDS and Azure IMDS at
 * 169.254.169.254, ECS and EKS Pod Identity at 169.254.170.2 and 169.254.170.23, AWS IMDS
 * on IPv6 at fd00:ec2::254).
 */
const METADATA_ADDRESSES = new BlockList();
METADATA_ADDRESSES.addSubnet('169.254.0.0', 16, 'ipv4');
METADATA_ADDRESSES.addSubnet('fe80::', 10, 'ipv6');
METADATA_ADDRESSES.addAddress('fd00:ec2::254', 'ipv6');

/** The GCE metadata server's names. */
const METADATA_NAMES = new Set(['metadata.google.internal', 'metadata.google.internal.']);

/**
 * Whether `url` is a cloud's instance metadata service, which only this machine can reach:
 * a proxy would reach its own (and answer with its identity) or none. Cloud logins go there
 * directly, as Go's GCE metadata client does whatever the proxy settings; NO_PROXY need
 * not name it.
 */
export function isInstanceMetadata(url: URL): boolean {
  const host = url.hostname.replace(/^\[|\]$/g, '').toLowerCase();
  const family = isIP(host);
  if (family !== 0) return METADATA_ADDRESSES.check(host, family === 4 ? 'ipv4' : 'ipv6');
  return METADATA_NAMES.has(host);
}
