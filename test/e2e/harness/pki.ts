// Certificates for the harness, made with the openssl command line: a CA and leaf
// certificates signed by it (server certificates for 127.0.0.1/localhost, client
// certificates with a user and groups), plus plain key pairs. EC P-256: fast to generate.
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
