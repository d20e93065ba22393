// Calls the library's listArtifacts(argv[2], { provider: argv[3] }) of the built package, for
// the cloud login tests (run with the test-only preload), and prints what it threw as JSON:
// whether it is a RegistryResponseError, its status, code and message.
import { listArtifacts, RegistryResponseError } from '../../../dist/index.js';

try {
  await listArtifacts(process.argv[2], { provider: process.argv[3] });
  process.stdout.write(JSON.stringify({ threw: false }));
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
