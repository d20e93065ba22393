// Loader hooks for module-log.mjs: append each loaded URL, then load it as usual.
import { appendFileSync } from 'node:fs';

export async function load(url, context, nextLoad) {
  appendFileSync(process.env.FLUX_OCI_MODULE_LOG, `${url}\n`);
  return nextLoad(url, context);
}
