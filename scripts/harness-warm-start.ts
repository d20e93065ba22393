// Times a start and stop of the whole end-to-end harness (registry with TLS and htpasswd,
// control plane, Flux controllers, Terraform engines) on a machine where the tools are
// built: `npx tsx scripts/harness-warm-start.ts`.
import { startRegistry } from '../test/support/registry.js';
import { startCluster, startFlux, prepareTerraform } from '../test/e2e/harness/index.js';

async function timed<T>(what: string, fn: () => Promise<T>): Promise<T> {
  const start = performance.now();
  const value = await fn();
  console.log(`${what}: ${Math.round(performance.now() - start)} ms`);
  return value;
}

const total = performance.now();
const tf = await timed('prepareTerraform (tofu, mirror, CLI config)', () => prepareTerraform());
const registry = await timed('registry (TLS + htpasswd)', () =>
  startRegistry({ tls: true, htpasswd: { username: 'flux', password: 'timing-only' } }),
);
const cluster = await timed('cluster (etcd, kube-apiserver, kube-controller-manager)', () =>
  startCluster(),
);
const flux = await timed('Flux (CRDs, source-controller, kustomize-controller)', () =>
  startFlux(cluster),
);
console.log(`ready: ${Math.round(performance.now() - total)} ms (tofu at ${tf.tofuPath})`);
await timed('stop everything', async () => {
  await flux.stop();
  await cluster.stop();
  await registry.stop();
});
console.log(`total: ${Math.round(performance.now() - total)} ms`);
