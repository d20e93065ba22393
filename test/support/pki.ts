// Certificates for the tests and the harness, made with the openssl command line: a CA and
// leaf certificates signed by it (server certificates for 127.0.0.1/localhost, client
// certificates with a user and groups), plus plain key pairs. EC P-256: fast to generate,
// accepted by Go and Node alike. The one copy of these helpers.
import { execFile } from 'node:child_process';
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { promisify } from 'node:util';

const run = promisify(execFile);

async function openssl(dir: string, args: string[]): Promise<void> {
  await run('openssl', args, { cwd: dir });
}

export interface CertificateAuthority {
  certFile: string;
  keyFile: string;
}

export interface KeyPair {
  certFile: string;
  keyFile: string;
}

/** Writes <name>.key (EC P-256, PKCS#8) in dir. */
async function newKey(dir: string, name: string): Promise<string> {
  await openssl(dir, [
    'genpkey',
    '-algorithm',
    'EC',
    '-pkeyopt',
    'ec_paramgen_curve:P-256',
    '-out',
    `${name}.key`,
  ]);
  return join(dir, `${name}.key`);
}

export async function createCa(dir: string, name = 'ca'): Promise<CertificateAuthority> {
  const keyFile = await newKey(dir, name);
  await openssl(dir, [
    'req',
    '-x509',
    '-new',
    '-key',
    `${name}.key`,
    '-subj',
    `/CN=flux-oci-harness-${name}`,
    '-days',
    '7',
    '-out',
    `${name}.crt`,
    '-addext',
    'basicConstraints=critical,CA:TRUE',
    '-addext',
    'keyUsage=critical,keyCertSign,cRLSign',
  ]);
  return { certFile: join(dir, `${name}.crt`), keyFile };
}

export interface LeafOptions {
  commonName: string;
  /** Client certificates: the Kubernetes groups (subject O). */
  organizations?: string[];
  /** Server certificates: extra DNS names besides localhost. */
  dnsNames?: string[];
  usage: 'server' | 'client';
}

export async function issueCertificate(
  dir: string,
  ca: CertificateAuthority,
  name: string,
  opts: LeafOptions,
): Promise<KeyPair> {
  const keyFile = await newKey(dir, name);
  const subject = [
    ...(opts.organizations ?? []).map((o) => `/O=${o}`),
    `/CN=${opts.commonName}`,
  ].join('');
  await openssl(dir, [
    'req',
    '-new',
    '-key',
    `${name}.key`,
    '-subj',
    subject,
    '-out',
    `${name}.csr`,
  ]);
  const extensions = [
    'basicConstraints=critical,CA:FALSE',
    'keyUsage=critical,digitalSignature,keyEncipherment',
  ];
  if (opts.usage === 'server') {
    const dns = ['localhost', ...(opts.dnsNames ?? [])].map((d) => `DNS:${d}`);
    extensions.push('extendedKeyUsage=serverAuth', `subjectAltName=IP:127.0.0.1,${dns.join(',')}`);
  } else {
    extensions.push('extendedKeyUsage=clientAuth');
  }
  await writeFile(join(dir, `${name}.ext`), extensions.join('\n') + '\n');
  await openssl(dir, [
    'x509',
    '-req',
    '-in',
    `${name}.csr`,
    '-CA',
    ca.certFile,
    '-CAkey',
    ca.keyFile,
    '-CAcreateserial',
    '-days',
    '7',
    '-extfile',
    `${name}.ext`,
    '-out',
    `${name}.crt`,
  ]);
  return { certFile: join(dir, `${name}.crt`), keyFile };
}

/** A signing key pair (private <name>.key, public <name>.pub), e.g. for service-account tokens. */
export async function createSigningKey(
  dir: string,
  name: string,
): Promise<{ privateFile: string; publicFile: string }> {
  const privateFile = await newKey(dir, name);
  await openssl(dir, ['pkey', '-in', `${name}.key`, '-pubout', '-out', `${name}.pub`]);
  return { privateFile, publicFile: join(dir, `${name}.pub`) };
}

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

/** Generates a CA in `dir` (ca.crt, ca.key). */
export async function generateCa(dir: string): Promise<TestCa> {
  const ca = await createCa(dir);
  return { caFile: ca.certFile, caKeyFile: ca.keyFile };
}

/**
 * Generates a server certificate for 127.0.0.1, localhost and `dnsNames` in `dir`, signed by
 * `ca` (one CA file then trusts several servers), else by a CA generated for it in `dir`.
 */
export async function generateCertificates(
  dir: string,
  ca?: TestCa,
  dnsNames: readonly string[] = [],
): Promise<TestCertificates> {
  const { caFile, caKeyFile } = ca ?? (await generateCa(dir));
  const commonName = dnsNames[0] ?? '127.0.0.1';
  const name = `server-${commonName.replace(/[^\w.-]/g, '_')}`;
  const server = await issueCertificate(dir, { certFile: caFile, keyFile: caKeyFile }, name, {
    commonName,
    dnsNames: [...dnsNames],
    usage: 'server',
  });
  return { caFile, ...server };
}

/** A self-signed signing key and certificate (a token server's). */
export async function generateSigningKey(
  dir: string,
): Promise<{ certFile: string; keyFile: string }> {
  return createCa(dir, 'signing');
}
