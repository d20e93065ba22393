// TEST ONLY, loaded with `node --import` into the flux-oci processes of the cloud login tests:
// the cloud registry host names resolve to the loopback addresses the tests' fakes listen
// on (FLUX_OCI_TEST_HOSTS="host=127.x.y.z,..."), every other name but localhost fails to
// resolve, and a connection to an address outside the loopback range is refused, so an
// SDK's fallback (instance metadata at 169.254.169.254, a cloud's real endpoint) can never
// leave the machine. Nothing in src/ knows of it.
import dns from 'node:dns';
import net from 'node:net';

const hosts = new Map(
  (process.env.FLUX_OCI_TEST_HOSTS ?? '')
    .split(',')
    .filter(Boolean)
    .map((entry) => entry.split('=').map((part) => part.trim().toLowerCase())),
);

function resolve(hostname) {
  const name = String(hostname).toLowerCase();
  if (net.isIP(name)) return name;
  return hosts.get(name) ?? (name === 'localhost' ? '127.0.0.1' : undefined);
}

function notFound(hostname) {
  const err = new Error(`getaddrinfo ENOTFOUND ${hostname} (test: only the faked hosts resolve)`);
  err.code = 'ENOTFOUND';
  err.hostname = hostname;
  return err;
}

dns.lookup = function lookup(hostname, options, callback) {
  if (typeof options === 'function') [callback, options] = [options, {}];
  if (typeof options === 'number') options = { family: options };
  const address = resolve(hostname);
  const family = address && net.isIPv6(address) ? 6 : 4;
  if (!address) process.nextTick(callback, notFound(hostname));
  else if (options?.all) process.nextTick(callback, null, [{ address, family }]);
  else process.nextTick(callback, null, address, family);
  return {};
};

dns.promises.lookup = async function lookup(hostname, options) {
  const address = resolve(hostname);
  if (!address) throw notFound(hostname);
  const family = net.isIPv6(address) ? 6 : 4;
  return options?.all ? [{ address, family }] : { address, family };
};

function isLoopback(address) {
  return /^127\./.test(address) || address === '::1' || address === '::ffff:127.0.0.1';
}

const connect = net.Socket.prototype.connect;
net.Socket.prototype.connect = function guardedConnect(...args) {
  const first = Array.isArray(args[0]) ? args[0][0] : args[0];
  const host =
    first && typeof first === 'object'
      ? first.host
      : typeof args[1] === 'string'
        ? args[1]
        : undefined;
  const path = first && typeof first === 'object' ? first.path : undefined;
  if (!path && host && net.isIP(host) && !isLoopback(host)) {
    const err = new Error(`connect EHOSTUNREACH ${host} (test: no traffic leaves the machine)`);
    err.code = 'EHOSTUNREACH';
    process.nextTick(() => this.destroy(err));
    return this;
  }
  return connect.apply(this, args);
};
