// GET over HTTPS with a client certificate, for readiness probes of the harness servers.
import { request } from 'node:https';
import { readFileSync } from 'node:fs';

export interface TlsFiles {
  caFile?: string;
  certFile?: string;
  keyFile?: string;
}

/** Resolves the status code of GET url; no CA file means the server certificate is not checked. */
export function httpsStatus(url: string, tls: TlsFiles): Promise<number> {
  return new Promise((resolve, reject) => {
    const req = request(url, {
      method: 'GET',
      ca: tls.caFile ? readFileSync(tls.caFile) : undefined,
      cert: tls.certFile ? readFileSync(tls.certFile) : undefined,
      key: tls.keyFile ? readFileSync(tls.keyFile) : undefined,
      rejectUnauthorized: tls.caFile !== undefined,
      timeout: 5000,
    });
    req.on('response', (res) => {
      res.resume();
      resolve(res.statusCode ?? 0);
    });
    req.on('timeout', () => req.destroy(new Error('timeout')));
    req.on('error', reject);
    req.end();
  });
}
