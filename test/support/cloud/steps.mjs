// Runs several flux-oci commands in ONE process, so they share its cloud login (the token
// cache lives for the process): argv[2] is a JSON list of steps, each
// {"argv": [...]} (a command), {"sleepMs": n} or {"post": url} (tell a fake something).
// Each command's exit code goes to stderr as `STEP <i> EXIT <code>`.
import { setTimeout as sleep } from 'node:timers/promises';
import { request } from 'undici';
import { main } from '../../../dist/cli/main.js';

const steps = JSON.parse(process.argv[2]);
for (const [i, step] of steps.entries()) {
  if (step.sleepMs !== undefined) await sleep(step.sleepMs);
  else if (step.post !== undefined) {
    const res = await request(step.post, { method: 'POST' });
    await res.body.dump();
    if (res.statusCode !== 200) throw new Error(`POST ${step.post}: ${res.statusCode}`);
  } else {
    const code = await main(['node', 'flux-oci', ...step.argv]);
    process.stderr.write(`STEP ${i} EXIT ${code}\n`);
  }
}
