import { discoveryPath } from '../../kube/discovery.js';
import { KubeApiError } from '../../kube/api-error.js';
import type { KubeClient } from '../../kube/client.js';
import type { ServedType } from './resource-type.js';

interface ApiResourceList {
  resources: {
    name: string;
    singularName?: string;
    kind: string;
    namespaced: boolean;
    shortNames?: string[];
  }[];
}

interface ApiGroupList {
  groups: { preferredVersion?: { groupVersion: string }; versions: { groupVersion: string }[] }[];
}

/**
 * The kinds the cluster serves, as `kubectl api-resources` lists them: with `apiVersion`,
 * that group version's only; else the core group's, then each group's preferred version,
 * in discovery order. A group version whose server is down (an aggregated API) is skipped.
 */
export async function servedTypes(client: KubeClient, apiVersion?: string): Promise<ServedType[]> {
  const groupVersions = apiVersion ? [apiVersion] : ['v1', ...(await preferredVersions(client))];
  const lists = await Promise.all(groupVersions.map((gv) => resourceList(client, gv)));
  return lists.flatMap((list, i) =>
    (list?.resources ?? [])
      // Subresources (`deployments/status`) share their parent's kind.
      .filter((r) => !r.name.includes('/'))
      .map((r) => ({
        apiVersion: groupVersions[i],
        kind: r.kind,
        resource: r.name,
        singular: r.singularName ?? '',
        shortNames: r.shortNames ?? [],
        namespaced: r.namespaced,
      })),
  );
}

async function preferredVersions(client: KubeClient): Promise<string[]> {
  const { groups } = await client.request<ApiGroupList>('GET', '/apis');
  return groups.map((g) => g.preferredVersion?.groupVersion ?? g.versions[0].groupVersion);
}

async function resourceList(
  client: KubeClient,
  groupVersion: string,
): Promise<ApiResourceList | undefined> {
  try {
    return await client.request<ApiResourceList>('GET', discoveryPath(groupVersion));
  } catch (error) {
    if (error instanceof KubeApiError && (error.statusCode === 404 || error.statusCode === 503)) {
      return undefined;
    }
    throw error;
  }
}
