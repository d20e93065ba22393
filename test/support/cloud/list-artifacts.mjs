// Calls the library's listArtifacts(argv[2], { provider: argv[3] }) of the built package, for
// the cloud login tests (run with the test-only preload), and prints what it threw as JSON:
// whether it is a RegistryResponseError, its status, code and message. argv[4], when given,
// is JSON of variables the `env` option sets over process.env (a library caller's own proxy
// settings); on success it prints the listed URLs.
import { listArtifacts, RegistryResponseError } from '../../../dist/index.js';

const overrides = process.argv[4] ? JSON.parse(process.argv[4]) : undefined;
const env = overrides ? { ...process.env, ...overrides } : undefined;
try {
  const listed = await listArtifacts(process.argv[2], { provider: process.argv[3], env });
  process.stdout.write(JSON.stringify({ threw: false, urls: listed.map((a) => a.url) }));
} catch (err) {
  process.stdout.write(
    JSON.stringify({
      threw: true,
      registryResponseError: err instanceof RegistryResponseError,
      status: err.status,
      code: err.code,
      message: err.message,
    }),
  );
}
