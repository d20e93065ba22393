import { UserError } from '../../src/errors.js';
import {
  parseOciReference,
  referenceIdentifier,
  referenceName,
  repositoryName,
  withDigest,
} from '../../src/oci/reference.js';

const DIGEST = `sha256:${'a'.repeat(64)}`;

describe('parseOciReference', () => {
  test.each([
    ['oci://ghcr.io/org/app', { registry: 'ghcr.io', repository: 'org/app', tag: 'latest' }],
    ['oci://ghcr.io/org/app:v1.2.3', { registry: 'ghcr.io', repository: 'org/app', tag: 'v1.2.3' }],
    [
      'oci://localhost:5000/flux/cluster:prod',
      { registry: 'localhost:5000', repository: 'flux/cluster', tag: 'prod' },
    ],
    [
      'oci://127.0.0.1:5000/a/b/c',
      { registry: '127.0.0.1:5000', repository: 'a/b/c', tag: 'latest' },
    ],
    ['oci://[::1]:5000/repo', { registry: '[::1]:5000', repository: 'repo', tag: 'latest' }],
    [
      `oci://ghcr.io/org/app@${DIGEST}`,
      { registry: 'ghcr.io', repository: 'org/app', digest: DIGEST },
    ],
    [
      `oci://ghcr.io/org/app:v1@${DIGEST}`,
      { registry: 'ghcr.io', repository: 'org/app', tag: 'v1', digest: DIGEST },
    ],
    [
      'oci://docker.io/nginx',
      { registry: 'index.docker.io', repository: 'library/nginx', tag: 'latest' },
    ],
    ['oci://docker.io/org/app:1', { registry: 'index.docker.io', repository: 'org/app', tag: '1' }],
    [
      'oci://index.docker.io/nginx',
      { registry: 'index.docker.io', repository: 'library/nginx', tag: 'latest' },
    ],
    ['oci://org/app', { registry: 'index.docker.io', repository: 'org/app', tag: 'latest' }],
    // As in go-containerregistry: a first part without '.' or ':' is not a registry.
    [
      'oci://localhost/app',
      { registry: 'index.docker.io', repository: 'localhost/app', tag: 'latest' },
    ],
    ['oci://nginx', { registry: 'index.docker.io', repository: 'library/nginx', tag: 'latest' }],
  ])('%s', (url, expected) => {
    expect(parseOciReference(url)).toEqual(expected);
  });

  test('defaultTag can be changed or turned off (list artifacts)', () => {
    expect(parseOciReference('oci://ghcr.io/org/app', { defaultTag: 'main' }).tag).toBe('main');
    expect(parseOciReference('oci://ghcr.io/org/app', { defaultTag: false })).toEqual({
      registry: 'ghcr.io',
      repository: 'org/app',
    });
  });

  test.each([
    ['ghcr.io/org/app', 'it must start with oci://'],
    ['https://ghcr.io/org/app', 'it must start with oci://'],
    ['oci://', 'the repository is missing'],
    ['oci://ghcr.io/', 'the repository is missing'],
    ['oci://ghcr.io/Org/App', 'a repository is 2-255 characters'],
    ['oci://ghcr.io/org/app:', 'a tag is 1-128 characters'],
    ['oci://ghcr.io/org/app:v1+build', 'a tag is 1-128 characters'],
    [`oci://ghcr.io/org/app:${'t'.repeat(129)}`, 'a tag is 1-128 characters'],
    ['oci://ghcr.io/org/app@sha256:abc', 'the digest must be sha256:'],
    [`oci://ghcr.io/org/app@sha512:${'a'.repeat(128)}`, 'the digest must be sha256:'],
    [`oci://ghcr.io/org/app@${DIGEST.toUpperCase()}`, 'the digest must be sha256:'],
    ['oci://ghcr.io/a', 'a repository is 2-255 characters'],
    ['oci://bad_host.io:port/app', '"bad_host.io:port" is not a valid registry host'],
    ['oci://ghcr.io/org app', 'a repository is 2-255 characters'],
  ])('%s is refused: %s', (url, why) => {
    const attempt = () => parseOciReference(url);
    expect(attempt).toThrow(UserError);
    expect(attempt).toThrow(`invalid OCI reference "${url}": ${why}`);
    expect(attempt).toThrow('expected oci://<host>[:<port>]/<repository>[:<tag>|@sha256:<digest>]');
  });
});

describe('reference names', () => {
  test('repository, identifier and printable names', () => {
    const tagged = parseOciReference('oci://localhost:5000/flux/app:v1');
    expect(repositoryName(tagged)).toBe('localhost:5000/flux/app');
    expect(referenceIdentifier(tagged)).toBe('v1');
    expect(referenceName(tagged)).toBe('localhost:5000/flux/app:v1');
    const pinned = withDigest(tagged, DIGEST);
    expect(referenceIdentifier(pinned)).toBe(DIGEST);
    expect(referenceName(pinned)).toBe(`localhost:5000/flux/app@${DIGEST}`);
  });
});
