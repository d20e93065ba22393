import semver from 'semver';
import { UserError } from '../../errors.js';
import { getManifest } from './manifests.js';
import { forEachLimited, toReference, withClient, type OperationOptions } from './operation.js';
import { repositoryName, type OciReference } from '../reference.js';
import { unexpectedResponse } from './registry-errors.js';
import { headerValue } from './transport.js';

export interface ListOptions extends OperationOptions {
  /** Keep tags that are `X.Y.Z` versions within this range (Masterminds syntax, e.g. `>=1.0.0 <2.0.0`). @default all tags */
  readonly semverFilter?: string;
  /** Keep tags this regular expression matches (anywhere in the tag). @default all tags */
  readonly regexFilter?: string;
  /** Tags per page (`?n=`); the `Link` header leads to the next page. @default the registry's choice */
  readonly pageSize?: number;
}

/** One tag of a repository with what its manifest says. */
export interface ListedArtifact {
  /** `registry/repository:tag`, as Flux's ARTIFACT column. */
  readonly url: string;
  readonly tag: string;
  /** `sha256:` of the manifest. */
  readonly digest: string;
  /** `org.opencontainers.image.source`, or ''. */
  readonly source: string;
  /** `org.opencontainers.image.revision`, or ''. */
  readonly revision: string;
}

/** Cosign stores signatures, attestations and SBOMs under tags with these suffixes. */
const COSIGN_SUFFIXES = ['.sig', '.att', '.sbom'];

/**
 * The repository's tags as Flux lists them: every page read (`Link` headers), cosign
 * tags dropped, the filters applied, sorted in descending string order.
 */
export async function listTags(
  reference: OciReference | string,
  options: ListOptions = {},
): Promise<string[]> {
  const ref = toReference(reference, undefined);
  const keep = tagFilter(options);
  return withClient(ref.registry, options, async (client) => {
    const signal = client.operationSignal();
    const tags: string[] = [];
    const firstPage = `/v2/${ref.repository}/tags/list`;
    let path: string | undefined = options.pageSize
      ? `${firstPage}?n=${options.pageSize}`
      : firstPage;
    for (let pages = 0; path && pages < 1000; pages++) {
      const res = await client.send({
        method: 'GET',
        path,
        repository: ref.repository,
        maxResponseBytes: 16 * 1024 * 1024,
        signal,
      });
      if (res.status === 404) {
        throw new UserError(`repository ${repositoryName(ref)} not found: check the URL`);
      }
      if (res.status !== 200)
        throw unexpectedResponse(client.registry, `list the tags of ${ref.repository}`, res);
      const body = JSON.parse(res.body.toString('utf8')) as { tags?: string[] | null };
      tags.push(...(body.tags ?? []));
      const next = /<([^>]+)>\s*;\s*rel="?next"?/.exec(headerValue(res.headers, 'link') ?? '');
      path = next ? new URL(next[1], res.url).toString() : undefined;
    }
    return tags
      .filter((tag) => !COSIGN_SUFFIXES.some((suffix) => tag.endsWith(suffix)))
      .filter(keep)
      .sort((a, b) => (a < b ? 1 : a > b ? -1 : 0));
  });
}

/** Lists the tags (as `listTags`) with each manifest's digest, source and revision. */
export async function listArtifacts(
  reference: OciReference | string,
  options: ListOptions = {},
): Promise<ListedArtifact[]> {
  const ref = toReference(reference, undefined);
  return withClient(ref.registry, options, async (client) => {
    const tags = await listTags(ref, { ...options, client });
    const signal = client.operationSignal();
    const byTag = new Map<string, ListedArtifact>();
    await forEachLimited(tags, 4, async (tag) => {
      const manifest = await getManifest(client, ref.repository, tag, signal);
      let annotations: Record<string, string> = {};
      try {
        annotations =
          (JSON.parse(manifest.bytes.toString('utf8')) as { annotations?: Record<string, string> })
            .annotations ?? {};
      } catch {
        // getManifest checked it is JSON
      }
      byTag.set(tag, {
        url: `${repositoryName(ref)}:${tag}`,
        tag,
        digest: manifest.digest,
        source: annotations['org.opencontainers.image.source'] ?? '',
        revision: annotations['org.opencontainers.image.revision'] ?? '',
      });
    });
    return tags.map((tag) => byTag.get(tag)!);
  });
}

/** The `--filter-semver` and `--filter-regex` test for one tag. */
export function tagFilter(
  options: Pick<ListOptions, 'semverFilter' | 'regexFilter'>,
): (tag: string) => boolean {
  let range: semver.Range | undefined;
  if (options.semverFilter) {
    try {
      // Masterminds separates AND-ed constraints with commas; node-semver with spaces.
      range = new semver.Range(options.semverFilter.replace(/,/g, ' '), { loose: true });
    } catch {
      throw new UserError(
        `invalid --filter-semver '${options.semverFilter}': expected a range such as '>=1.0.0 <2.0.0' or '1.x'`,
      );
    }
  }
  let regex: RegExp | undefined;
  if (options.regexFilter) {
    try {
      regex = new RegExp(options.regexFilter);
    } catch (err) {
      throw new UserError(
        `invalid --filter-regex '${options.regexFilter}': ${(err as Error).message}`,
      );
    }
  }
  return (tag) => {
    if (range) {
      // Flux accepts only three dot-separated parts (so 1.2 and 1.2.3.4 are out).
      if (tag.split('.').length !== 3) return false;
      const version = semver.parse(tag, { loose: true });
      if (!version || !range.test(version)) return false;
    }
    return regex ? regex.test(tag) : true;
  };
}
