/** `localhost`, `127.0.0.1` or `[::1]` (bare `::1` too), with an optional port. */
const LOOPBACK_REGISTRY = /^(?:localhost|127\.0\.0\.1|\[::1\])(?::\d{1,5})?$|^::1$/i;

/**
 * Whether a registry (`host[:port]`) is this machine: `localhost`, `127.0.0.1` or `::1`.
 * Plain HTTP to these needs no `--allow-insecure-http`, as in Flux and go-containerregistry
 * (`name.Registry.Scheme()`; a kind cluster with a local registry is the common case): the
 * traffic never leaves the machine, so credentials sent over it cross no network. Other
 * loopback or private addresses, which go-containerregistry also lets through, still need the
 * flag.
 */
export function isLoopbackRegistry(registry: string): boolean {
  return LOOPBACK_REGISTRY.test(registry);
}
