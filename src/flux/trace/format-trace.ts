import { escapeControl } from '../../terminal-text.js';
import type { ObjectTrace, ReadyCondition } from './object-trace.js';

/**
 * The trace in `flux trace`'s layout (flux2 cmd/flux/trace.go, Kustomization from an
 * OCIRepository), line for line: a blank line, then the object, `---`, the Kustomization,
 * `---`, the OCIRepository with the origin annotations. Times are shown in UTC (flux shows
 * the machine's local time). Values from the cluster are escaped (`escapeControl`).
 */
export function formatTrace(trace: ObjectTrace): string {
  const { object, kustomization: ks, ociRepository: repo } = trace;
  const lines = ['', field('Object:', `${object.kind}/${object.name}`)];
  if (object.namespace) lines.push(field('Namespace:', object.namespace));
  lines.push(field('Status:', 'Managed by Flux'));

  lines.push('---', field('Kustomization:', ks.name), field('Namespace:', ks.namespace));
  if (ks.targetNamespace) lines.push(field('Target:', ks.targetNamespace));
  lines.push(field('Path:', ks.path), field('Revision:', ks.lastAppliedRevision ?? ''));
  if (ks.ready) {
    lines.push(
      field('Status:', `Last reconciled at ${goTime(ks.ready.lastTransitionTime)}`),
      field('Message:', ks.ready.message ?? ''),
    );
  } else {
    lines.push(field('Status:', 'Unknown'));
  }

  lines.push('---', field('OCIRepository:', repo.name), field('Namespace:', repo.namespace));
  lines.push(field('URL:', repo.url));
  if (repo.tag) lines.push(field('Tag:', repo.tag));
  else if (repo.semver) lines.push(field('Tag:', repo.semver));
  else if (repo.refDigest) lines.push(field('Digest:', repo.refDigest));
  if (repo.revision) {
    lines.push(field('Revision:', repo.revision));
    // flux ranges over its map of labels, sorted: Revision before Source. A label whose
    // annotation is missing leaves an empty line, as there.
    if (Object.keys(trace.artifactMetadata ?? {}).length > 0) {
      lines.push(originLine('Origin Revision:', trace.origin?.revision));
      lines.push(originLine('Origin Source:', trace.origin?.source));
    }
  }
  lines.push(...repositoryStatus(repo.ready));
  return `${lines.join('\n')}\n`;
}

/** `Name:` padded to flux's 17-column label, then the value, escaped. */
function field(label: string, value: string): string {
  return `${label.padEnd(17)}${escapeControl(value)}`;
}

function originLine(label: string, value: string | undefined): string {
  return value ? field(label, value) : '';
}

function repositoryStatus(ready: ReadyCondition | undefined): string[] {
  if (!ready) return [field('Status:', 'Unknown')];
  const when = goTime(ready.lastTransitionTime);
  const status =
    ready.status === 'False'
      ? `Last reconciliation failed at ${when}`
      : `Last reconciled at ${when}`;
  return [field('Status:', status), field('Message:', ready.message ?? '')];
}

/**
 * An RFC 3339 time the way Go prints a metav1.Time (`time.Time.String()`), in UTC:
 * `2026-12-01 01:30:00 +0000 UTC`; the zero time when absent, as Go prints an unset one.
 */
export function goTime(rfc3339: string | undefined): string {
  if (!rfc3339) return '0001-01-01 00:00:00 +0000 UTC';
  const date = new Date(rfc3339);
  if (Number.isNaN(date.getTime())) return rfc3339;
  const iso = date.toISOString(); // 2026-12-01T01:30:00.000Z; metav1.Time has whole seconds
  return `${iso.slice(0, 10)} ${iso.slice(11, 19)} +0000 UTC`;
}
