import { execFile } from 'node:child_process';
import { join } from 'node:path';
import { promisify } from 'node:util';

const run = promisify(execFile);

/** Files of a throwaway certificate authority and a server certificate it signed. */
export interface TestCertificates {
  /** PEM of the CA certificate: what a client must trust. */
  readonly caFile: string;
  /** PEM of the server certificate, valid for 127.0.0.1 and localhost. */
  readonly certFile: string;
  readonly keyFile: string;
}

/**
 * Generates a CA and a server certificate for 127.0.0.1/localhost in `dir` with openssl.
 * EC P-256 keys: fast to generate, accepted by Go and Node alike.
 */
export async function generateCertificates(dir: string): Promise<TestCertificates> {
  const caKey = join(dir, 'ca.key');
  const caFile = join(dir, 'ca.crt');
  const keyFile = join(dir, 'server.key');
  const csr = join(dir, 'server.csr');
  const certFile = join(dir, 'server.crt');
  const ext = join(dir, 'server.ext');
  const ec = ['-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes'];
  await run('openssl', [
    'req',
    '-x509',
    ...ec,
    '-keyout',
    caKey,
    '-out',
    caFile,
    '-days',
    '2',
    '-subj',
    '/CN=flux-oci test CA',
  ]);
  await run('openssl', ['req', ...ec, '-keyout', keyFile, '-out', csr, '-subj', '/CN=127.0.0.1']);
  const { writeFile } = await import('node:fs/promises');
  await writeFile(ext, 'subjectAltName=IP:127.0.0.1,DNS:localhost\nextendedKeyUsage=serverAuth\n');
  await run('openssl', [
    'x509',
    '-req',
    '-in',
    csr,
    '-CA',
    caFile,
    '-CAkey',
    caKey,
    '-CAcreateserial',
    '-out',
    certFile,
    '-days',
    '2',
    '-extfile',
    ext,
  ]);
  return { caFile, certFile, keyFile };
}

/** A self-signed signing key and certificate (the token server's), EC P-256. */
export async function generateSigningKey(
  dir: string,
): Promise<{ certFile: string; keyFile: string }> {
  const keyFile = join(dir, 'signing.key');
  const certFile = join(dir, 'signing.crt');
  await run('openssl', [
    'req',
    '-x509',
    '-newkey',
    'ec',
    '-pkeyopt',
    'ec_paramgen_curve:prime256v1',
    '-nodes',
    '-keyout',
    keyFile,
    '-out',
    certFile,
    '-days',
    '2',
    '-subj',
    '/CN=flux-oci test token issuer',
  ]);
  return { certFile, keyFile };
}
