// `node --import tsx extract-layer-file-main.ts <layer.tgz> <target>`: extractLayerFile in a
// process of its own, for tests that must run it inside another mount namespace or as
// another user. Prints the result as JSON, or the error's message on stderr (exit 1).
import { extractLayerFile } from '../../src/oci/content/archive/layer-extraction.js';

const [layer, target] = process.argv.slice(2);
extractLayerFile(layer!, target!).then(
  (result) => process.stdout.write(`${JSON.stringify(result)}\n`),
  (err: unknown) => {
    process.stderr.write(`${err instanceof Error ? err.message : String(err)}\n`);
    process.exitCode = 1;
  },
);
