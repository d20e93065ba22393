import semver from 'semver';
import { UserError } from '../../errors.js';
import { escapeControl } from '../../terminal-text.js';
import { getManifest } from './api/manifests.js';
import { forEachLimited, toReference, withClient, type OperationOptions } from './operation.js';
import { repositoryName, type OciReference } from '../reference.js';
import { RegistryResponseError, unexpectedResponse } from './registry-errors.js';
import { headerValue } from './http/transport.js';

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

/** More tags than this (after the filters) are refused: each is kept in memory, and listed one manifest request each. */
export const MAX_LISTED_TAGS = 100_000;
/** More pages than this are refused: a registry that never stops paging is broken or hostile. */
export const MAX_TAG_PAGES = 1000;
/** One page of the tag list is read into memory: at most this large. */
const MAX_TAG_PAGE_BYTES = 16 * 1024 * 1024;

/**
 * The repository's tags as Flux lists them: every page read (`Link` headers), cosign
 * tags dropped, the filters applied, sorted in descending string order. Pages are
 * filtered as they arrive, so memory holds one page and the tags kept, at most
 * MAX_LISTED_TAGS of them.
 */
export async function listTags(
  reference: OciReference | string,
  options: ListOptions = {},
): Promise<string[]> {
  const ref = toReference(reference, undefined);
  const keep = tagFilter(options);
  const name = repositoryName(ref);
  return withClient(ref.registry, options, async (client) => {
    const signal = client.operationSignal();
    const tags: string[] = [];
    const firstPage = `/v2/${ref.repository}/tags/list`;
    let path: string | undefined = options.pageSize
      ? `${firstPage}?n=${options.pageSize}`
      : firstPage;
    for (let pages = 0; path; pages++) {
      if (pages === MAX_TAG_PAGES) {
        throw new UserError(
          `registry ${client.registry} sent more than ${MAX_TAG_PAGES} pages of tags for ${name}: the registry does not stop paging; check the registry`,
        );
      }
      const res = await client.send({
        method: 'GET',
        path,
        repository: ref.repository,
        maxResponseBytes: MAX_TAG_PAGE_BYTES,
        signal,
      });
      if (res.status === 404) {
        throw new RegistryResponseError(`repository ${name} not found: check the URL`, res);
      }
      if (res.status !== 200)
        throw unexpectedResponse(client.registry, `list the tags of ${ref.repository}`, res);
      for (const tag of parseTagPage(res.body, client.registry, name)) {
        if (COSIGN_SUFFIXES.some((suffix) => tag.endsWith(suffix)) || !keep(tag)) continue;
        if (tags.length === MAX_LISTED_TAGS) {
          throw new UserError(
            `repository ${name} has more than ${MAX_LISTED_TAGS} tags${options.semverFilter || options.regexFilter ? ' that match the filters' : ''}: narrow the list with --filter-regex or --filter-semver`,
          );
        }
        tags.push(tag);
      }
      const next = /<([^>]+)>\s*;\s*rel="?next"?/.exec(headerValue(res.headers, 'link') ?? '');
      // Another origin gets no credentials; plain HTTP only when allowed (client.send).
      path = next ? client.returnedUrl(next[1], res.url, 'a next page link').toString() : undefined;
    }
    return tags.sort((a, b) => (a < b ? 1 : a > b ? -1 : 0));
  });
}

/** The `tags` of one tag list page; a UserError naming the registry when it is not one. */
function parseTagPage(body: Buffer, registry: string, name: string): string[] {
  let parsed: unknown;
  try {
    parsed = JSON.parse(body.toString('utf8'));
  } catch {
    throw new UserError(
      `registry ${registry} answered the tag list of ${name} with something that is not JSON (${body.length} bytes starting '${escapeControl(body.subarray(0, 40).toString('utf8'))}'): check that the URL names a registry`,
    );
  }
  const tags = (parsed as { tags?: unknown } | null)?.tags;
  if (tags === undefined || tags === null) return [];
  if (!Array.isArray(tags) || !tags.every((t) => typeof t === 'string')) {
    throw new UserError(
      `registry ${registry} answered the tag list of ${name} with a 'tags' that is not a list of strings: check the registry`,
    );
  }
  // A tag goes into a request path and onto the terminal: only what the spec allows.
  const invalid = (tags as string[]).find((tag) => !TAG_PATTERN.test(tag));
  if (invalid !== undefined) {
    throw new UserError(
      `registry ${registry} listed '${escapeControl(invalid.slice(0, 200))}' among the tags of ${name}, which is not a valid tag: check the registry`,
    );
  }
  return tags as string[];
}

/** The distribution spec's tag grammar. */
const TAG_PATTERN = /^[A-Za-z0-9_][A-Za-z0-9._-]{0,127}$/;

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
  let ranges: SemverGroup[] | undefined;
  if (options.semverFilter) {
    try {
      ranges = semverGroups(options.semverFilter);
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
    if (ranges) {
      // Flux's version.ParseVersion wants at least three dot-separated parts (so 1.2 is
      // out, v2.0.0-rc.1 in); semver then refuses 1.2.3.4.
      if (tag.split('.').length < 3) return false;
      const version = semver.parse(tag, { loose: true });
      if (!version || !ranges.some((group) => group.test(version))) return false;
    }
    return regex ? regex.test(tag) : true;
  };
}

/** One `||` alternative of a semver constraint, with Masterminds' pre-release rule. */
interface SemverGroup {
  test(version: semver.SemVer): boolean;
}

/**
 * Masterminds/semver (Flux's) admits pre-release versions to an `||` group when any of its
 * constraints names a pre-release (`>=2.0.0-0` admits `2.1.0-beta.2`), and none otherwise;
 * node-semver only within the same major.minor.patch, so each group is its own Range.
 */
function semverGroups(constraint: string): SemverGroup[] {
  return constraint.split('||').map((alternative) => {
    // Masterminds separates AND-ed constraints with commas; node-semver with spaces.
    const text = alternative.replace(/,/g, ' ');
    // A version followed directly by `-`: a pre-release (a hyphen range has spaces).
    const namesPrerelease = /[0-9xX*]-[0-9A-Za-z]/.test(text);
    const range = new semver.Range(text, { loose: true, includePrerelease: namesPrerelease });
    return {
      test: (version) =>
        (namesPrerelease || version.prerelease.length === 0) && range.test(version),
    };
  });
}
