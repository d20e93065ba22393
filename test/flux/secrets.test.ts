import { UserError } from '../../src/errors.js';
import { caSecretObject } from '../../src/flux/ca-secret.js';
import {
  exportSecretYaml,
  registryHostOf,
  registrySecretObject,
  registrySecretsFor,
} from '../../src/flux/registry-secret.js';

describe('registry Secrets', () => {
  test('export is byte-for-byte the shape flux create secret oci prints', () => {
    const secret = registrySecretObject({
      name: 'ghcr',
      namespace: 'my-namespace',
      registry: 'ghcr.io',
      username: 'stefanprodan',
      password: 'password',
    });
    expect(exportSecretYaml(secret)).toBe(
      [
        '---',
        'apiVersion: v1',
        'kind: Secret',
        'metadata:',
        '  name: ghcr',
        '  namespace: my-namespace',
        'stringData:',
        '  .dockerconfigjson: |-',
        '    {',
        '      "auths": {',
        '        "ghcr.io": {',
        '          "username": "stefanprodan",',
        '          "password": "password",',
        '          "auth": "c3RlZmFucHJvZGFuOnBhc3N3b3Jk"',
        '        }',
        '      }',
        '    }',
        'type: kubernetes.io/dockerconfigjson',
        '',
      ].join('\n'),
    );
  });

  test('no Secret with a workload identity provider or without credentials', () => {
    for (const provider of ['aws', 'azure', 'gcp'] as const) {
      expect(
        registrySecretsFor(provider, { name: 'x', registry: 'r', username: 'u', password: 'p' }),
      ).toEqual([]);
    }
    expect(registrySecretsFor('generic', { name: 'x', registry: 'r' })).toEqual([]);
    expect(
      registrySecretsFor('generic', { name: 'x', registry: 'r', username: 'u', password: 'p' }),
    ).toHaveLength(1);
  });

  test('bad input names the value and the fix', () => {
    expect(() =>
      registrySecretObject({ name: 'UP', registry: 'r', username: 'u', password: 'p' }),
    ).toThrow(/secret name "UP" is not a valid Kubernetes name/);
    expect(() =>
      registrySecretObject({ name: 'a', registry: 'r', username: 'u', password: '' }),
    ).toThrow(UserError);
  });

  test('the registry host of an oci:// URL', () => {
    expect(registryHostOf('oci://localhost:5000/flux/components')).toBe('localhost:5000');
  });
});

describe('CA Secret', () => {
  test('holds ca.crt for certSecretRef', () => {
    const pem = '-----BEGIN CERTIFICATE-----\nMIIB\n-----END CERTIFICATE-----\n';
    expect(caSecretObject({ name: 'registry-ca', caCertificate: pem })).toEqual({
      apiVersion: 'v1',
      kind: 'Secret',
      metadata: { name: 'registry-ca', namespace: 'flux-system' },
      stringData: { 'ca.crt': pem },
      type: 'Opaque',
    });
  });
  test('refuses a file that is not PEM', () => {
    expect(() => caSecretObject({ name: 'c', caCertificate: 'hello', source: 'ca.pem' })).toThrow(
      /ca.pem is not a PEM certificate/,
    );
  });
});
