// Runs several flux-oci commands in ONE process, so they share its cloud login (the token
// cache lives for the process): argv[2] is a JSON list of steps, each
// {"argv": [...]} (a command), {"advanceMs": n} (move this process's clock, Date.now and
// new Date(), n ms forward: expiry without waiting for it) or {"post": url} (tell a fake something).
// Each command's exit code goes to stderr as `STEP <i> EXIT <code>`.
import { main } from '../../../dist/cli/main.js';

// The SDKs read the clock both ways (google-auth-library's expiry is `new Date()`).
let clockOffsetMs = 0;
const RealDate = Date;
globalThis.Date = class extends RealDate {
  constructor(...args) {
    if (args.length === 0) super(RealDate.now() + clockOffsetMs);
    else super(...args);
  }
  static now() {
    return RealDate.now() + clockOffsetMs;
  }
};

const steps = JSON.parse(process.argv[2]);
for (const [i, step] of steps.entries()) {
  if (step.advanceMs !== undefined) clockOffsetMs += step.advanceMs;
  else if (step.post !== undefined) {
    const res = await globalThis.fetch(step.post, { method: 'POST' });
    await res.arrayBuffer();
    if (res.status !== 200) throw new Error(`POST ${step.post}: ${res.status}`);
  } else {
    const code = await main(['node', 'flux-oci', ...step.argv]);
    process.stderr.write(`STEP ${i} EXIT ${code}\n`);
  }
}
