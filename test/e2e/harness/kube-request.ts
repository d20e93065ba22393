// Raw JSON requests to the harness API server with the admin kubeconfig's credentials.
// client-node's typed models drop fields they spell differently (a CRD schema's `default`
// becomes `_default` and is lost), so fixtures are sent as plain JSON instead.
import { request } from 'node:https';
import { KubeConfig } from '@kubernetes/client-node';

export interface KubeResponse {
  status: number;
  body: unknown;
}

export class KubeRequester {
  private readonly server: URL;
  private readonly tls: { ca: Buffer; cert: Buffer; key: Buffer };

  constructor(kubeconfigPath: string) {
    const kc = new KubeConfig();
    kc.loadFromFile(kubeconfigPath);
    const cluster = kc.getCurrentCluster();
    const user = kc.getCurrentUser();
    if (!cluster?.caData || !user?.certData || !user.keyData) {
      throw new Error(`${kubeconfigPath}: expected embedded CA and client certificate data`);
    }
    this.server = new URL(cluster.server);
    const b64 = (s: string): Buffer => Buffer.from(s, 'base64');
    this.tls = { ca: b64(cluster.caData), cert: b64(user.certData), key: b64(user.keyData) };
  }

  send(
    method: string,
    path: string,
    body?: unknown,
    contentType = 'application/json',
  ): Promise<KubeResponse> {
    const payload = body === undefined ? undefined : Buffer.from(JSON.stringify(body));
    return new Promise((resolve, reject) => {
      const req = request(new URL(path, this.server), {
        method,
        ...this.tls,
        headers: {
          accept: 'application/json',
          ...(payload ? { 'content-type': contentType, 'content-length': payload.length } : {}),
        },
        timeout: 30_000,
      });
      req.on('response', (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('end', () => {
          const text = Buffer.concat(chunks).toString('utf8');
          let parsed: unknown = text;
          try {
            parsed = JSON.parse(text);
          } catch {
            // not JSON: keep the text
          }
          resolve({ status: res.statusCode ?? 0, body: parsed });
        });
      });
      req.on('timeout', () => req.destroy(new Error(`${method} ${path}: timeout`)));
      req.on('error', reject);
      req.end(payload);
    });
  }

  /** send(), failing unless the status is 2xx. */
  async ok(method: string, path: string, body?: unknown, contentType?: string): Promise<unknown> {
    const res = await this.send(method, path, body, contentType);
    if (res.status < 200 || res.status > 299) {
      throw new Error(`${method} ${path}: ${res.status} ${JSON.stringify(res.body).slice(0, 500)}`);
    }
    return res.body;
  }
}
