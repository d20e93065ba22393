// `node --import <this file>` logs the URL of every module Node loads through the ES module
// loader (our files and each package's entry point) to the file named by $FLUX_OCI_MODULE_LOG.
import { register } from 'node:module';

register('./module-log-hooks.mjs', import.meta.url);
