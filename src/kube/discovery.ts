/** What discovery says about one kind: its URL segment and whether it lives in namespaces. */
export interface ApiResource {
  readonly name: string;
  readonly namespaced: boolean;
}

interface ApiResourceList {
  resources: { name: string; kind: string; namespaced: boolean }[];
}

/**
 * Maps apiVersion + kind to a REST resource through the API server's discovery documents,
 * cached per group version. A miss re-reads the document: a CRD applied a moment ago only
 * appears in discovery once it is Established.
 */
export class ApiResources {
  private readonly cache = new Map<string, ApiResourceList | undefined>();

  constructor(private readonly fetchList: (path: string) => Promise<ApiResourceList | undefined>) {}

  async find(apiVersion: string, kind: string): Promise<ApiResource | undefined> {
    const cached = this.cache.get(apiVersion)?.resources.find((r) => isKind(r, kind));
    if (cached) return cached;
    const list = await this.fetchList(discoveryPath(apiVersion));
    this.cache.set(apiVersion, list);
    return list?.resources.find((r) => isKind(r, kind));
  }
}

// Subresources (`deployments/status`) share their parent's kind; skip them.
function isKind(resource: { name: string; kind: string }, kind: string): boolean {
  return resource.kind === kind && !resource.name.includes('/');
}

export function discoveryPath(apiVersion: string): string {
  return apiVersion.includes('/') ? `/apis/${apiVersion}` : `/api/${apiVersion}`;
}
