// `node --import <this file>` logs the URL of every module Node loads to the file named by
// $FLUX_OCI_MODULE_LOG: through the ES module loader as it happens (our files and each
// package's entry point), and at exit every CommonJS file (what packages `require`, which
// the loader hooks do not see).
import { appendFileSync } from 'node:fs';
import { createRequire, register } from 'node:module';
import { pathToFileURL } from 'node:url';

register('./module-log-hooks.mjs', import.meta.url);

const { cache } = createRequire(import.meta.url);
process.on('exit', () => {
  const files = Object.keys(cache).map((path) => `${pathToFileURL(path).href}\n`);
  appendFileSync(process.env.FLUX_OCI_MODULE_LOG, files.join(''));
});
