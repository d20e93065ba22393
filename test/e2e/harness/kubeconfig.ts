// An admin kubeconfig with the CA and client certificate embedded, so the file alone is
// enough for client-node, the Terraform kubernetes provider and the Flux controllers.
import { readFile, writeFile } from 'node:fs/promises';
import { stringify } from 'yaml';

export interface KubeconfigInput {
  server: string;
  caFile: string;
  certFile: string;
  keyFile: string;
}

export async function writeKubeconfig(path: string, input: KubeconfigInput): Promise<void> {
  const b64 = async (file: string): Promise<string> => (await readFile(file)).toString('base64');
  const config = {
    apiVersion: 'v1',
    kind: 'Config',
    clusters: [
      {
        name: 'harness',
        cluster: { server: input.server, 'certificate-authority-data': await b64(input.caFile) },
      },
    ],
    users: [
      {
        name: 'admin',
        user: {
          'client-certificate-data': await b64(input.certFile),
          'client-key-data': await b64(input.keyFile),
        },
      },
    ],
    contexts: [{ name: 'harness', context: { cluster: 'harness', user: 'admin' } }],
    'current-context': 'harness',
  };
  await writeFile(path, stringify(config), { mode: 0o600 });
}
