import {
  redactSecretValues,
  withStringDataEncoded,
} from '../../../src/bootstrap/apply/secret-data.js';
import type { KubeObject } from '../../../src/kube/object.js';

const secret: KubeObject = {
  apiVersion: 'v1',
  kind: 'Secret',
  metadata: { name: 'flux-system', namespace: 'flux-system' },
  type: 'Opaque',
  data: { username: Buffer.from('flux-user').toString('base64') },
  stringData: { password: 's3cr3t-pa55' },
};

describe('withStringDataEncoded', () => {
  it('moves stringData into data as base64, as the API server stores it', () => {
    const encoded = withStringDataEncoded(secret);
    expect(encoded.stringData).toBeUndefined();
    expect(encoded.data).toEqual({
      username: Buffer.from('flux-user').toString('base64'),
      password: Buffer.from('s3cr3t-pa55').toString('base64'),
    });
    expect(secret.stringData).toEqual({ password: 's3cr3t-pa55' });
  });
});

describe('redactSecretValues', () => {
  it('removes values both encoded and decoded', () => {
    const b64 = Buffer.from('s3cr3t-pa55').toString('base64');
    const message = `Invalid value: "s3cr3t-pa55" and ${b64} and flux-user`;
    const redacted = redactSecretValues(message, secret);
    expect(redacted).toBe('Invalid value: "<redacted>" and <redacted> and <redacted>');
  });
});
