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

/** A throwaway certificate authority: its certificate and the key that signs with it. */
export interface TestCa {
  readonly caFile: string;
  readonly caKeyFile: string;
}

const ec = ['-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes'];

/** Generates a CA in `dir` (ca.crt, ca.key) with openssl, EC P-256. */
export async function generateCa(dir: string): Promise<TestCa> {
  const caKeyFile = join(dir, 'ca.key');
  const caFile = join(dir, 'ca.crt');
  await run('openssl', [
    'req',
    '-x509',
    ...ec,
    '-keyout',
    caKeyFile,
    '-out',
    caFile,
    '-days',
    '2',
    '-subj',
    '/CN=flux-oci test CA',
  ]);
  return { caFile, caKeyFile };
}

/**
 * Generates a server certificate for 127.0.0.1/localhost in `dir` with openssl, signed by
 * `ca` (one CA file then trusts several servers), else by a CA generated for it in `dir`.
 * EC P-256 keys: fast to generate, accepted by Go and Node alike.
 */
export async function generateCertificates(dir: string, ca?: TestCa): Promise<TestCertificates> {
  const { caFile, caKeyFile } = ca ?? (await generateCa(dir));
  const keyFile = join(dir, 'server.key');
  const csr = join(dir, 'server.csr');
  const certFile = join(dir, 'server.crt');
  const ext = join(dir, 'server.ext');
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
    caKeyFile,
    '-CAcreateserial',
    '-CAserial',
    join(dir, 'ca.srl'),
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
