import { execFileSync } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';

/**
 * Writes `<name>.key` (a plain PKCS#8 EC P-256 key from openssl, no password) and
 * `<name>.pub` in `dir`: the other key format `--cosign-key` takes.
 */
export function plainKeyPair(dir: string, name: string): { key: string; pub: string } {
  const pem = execFileSync('openssl', [
    'genpkey',
    '-algorithm',
    'EC',
    '-pkeyopt',
    'ec_paramgen_curve:P-256',
  ]);
  const key = join(dir, `${name}.key`);
  const pub = join(dir, `${name}.pub`);
  writeFileSync(key, pem);
  writeFileSync(pub, execFileSync('openssl', ['pkey', '-pubout'], { input: pem }));
  return { key, pub };
}
