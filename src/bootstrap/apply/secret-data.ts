import type { KubeObject } from '../../kube/object.js';

export function isSecret(object: KubeObject): boolean {
  return object.kind === 'Secret' && object.apiVersion === 'v1';
}

/**
 * Moves a Secret's `stringData` into `data` (base64), as the API server does on write.
 * Applying `stringData` as is would show drift on every run, because the stored object
 * only ever holds `data`. Values in `stringData` win over `data`, as on the server.
 */
export function withStringDataEncoded(secret: KubeObject): KubeObject {
  const stringData = secret.stringData as Record<string, string> | undefined;
  if (!stringData) return secret;
  const rest: Partial<KubeObject> = { ...secret };
  delete rest.stringData;
  const data = { ...((secret.data as Record<string, string> | undefined) ?? {}) };
  for (const [key, value] of Object.entries(stringData)) {
    data[key] = Buffer.from(value, 'utf8').toString('base64');
  }
  return { ...(rest as KubeObject), data };
}

/**
 * Removes a Secret's values from a message (an API error may quote what it rejected), both
 * as sent (base64) and decoded. Short values are left: they would blank out ordinary words.
 */
export function redactSecretValues(message: string, secret: KubeObject): string {
  const values = new Set<string>();
  const add = (value: unknown) => {
    if (typeof value === 'string' && value.length >= 4) values.add(value);
  };
  for (const value of Object.values((secret.data as Record<string, string>) ?? {})) {
    add(value);
    add(Buffer.from(value, 'base64').toString('utf8'));
  }
  for (const value of Object.values((secret.stringData as Record<string, string>) ?? {})) {
    add(value);
    add(Buffer.from(value, 'utf8').toString('base64'));
  }
  let redacted = message;
  // Longest first, so a value containing another is replaced whole.
  for (const value of [...values].sort((a, b) => b.length - a.length)) {
    redacted = redacted.split(value).join('<redacted>');
  }
  return redacted;
}
