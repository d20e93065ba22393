import { UserError } from '../../errors.js';

export const CREATED_ANNOTATION = 'org.opencontainers.image.created';
export const SOURCE_ANNOTATION = 'org.opencontainers.image.source';
export const REVISION_ANNOTATION = 'org.opencontainers.image.revision';

/** The created value `--reproducible` sets: the Unix epoch (as Flux prints it in UTC). */
export const REPRODUCIBLE_CREATED = '1970-01-01T00:00:00Z';

/** Options for {@link artifactAnnotations}. */
export interface AnnotationOptions {
  /** `org.opencontainers.image.source`, e.g. the Git URL. @default '' */
  readonly source?: string;
  /** `org.opencontainers.image.revision`, e.g. `main@sha1:<commit>`. @default '' */
  readonly revision?: string;
  /** `org.opencontainers.image.created`, RFC 3339. @default now, UTC, whole seconds */
  readonly created?: string;
  /** Sets created to `1970-01-01T00:00:00Z` so equal content gives an equal digest. @default false */
  readonly reproducible?: boolean;
  /** Extra annotations; they override the three standard keys when they repeat them. @default {} */
  readonly annotations?: Readonly<Record<string, string>>;
  /** The clock for the default created value. @default () => new Date() */
  readonly now?: () => Date;
}

/**
 * The manifest annotations Flux writes: created, source and revision always present (empty
 * when not given), custom ones merged over them; an empty created falls back to the default.
 * Created must be RFC 3339, as Flux 2.9 requires.
 */
export function artifactAnnotations(options: AnnotationOptions = {}): Record<string, string> {
  const defaultCreated = options.reproducible
    ? REPRODUCIBLE_CREATED
    : (options.created ?? formatRfc3339((options.now ?? (() => new Date()))()));
  const annotations: Record<string, string> = {
    [CREATED_ANNOTATION]: defaultCreated,
    [SOURCE_ANNOTATION]: options.source ?? '',
    [REVISION_ANNOTATION]: options.revision ?? '',
    ...options.annotations,
  };
  if (annotations[CREATED_ANNOTATION] === '') annotations[CREATED_ANNOTATION] = defaultCreated;
  const created = annotations[CREATED_ANNOTATION]!;
  if (!isRfc3339(created)) {
    throw new UserError(
      `invalid created timestamp "${created}": expected RFC 3339, e.g. 2024-05-01T10:00:00Z`,
    );
  }
  return annotations;
}

/** UTC at whole seconds, e.g. `2024-05-01T10:00:00Z` (Go's `time.RFC3339` of a UTC time). */
export function formatRfc3339(date: Date): string {
  return date.toISOString().replace(/\.\d{3}Z$/, 'Z');
}

/** Go's strict RFC 3339 parse: field ranges, days per month, optional fraction, Z or ±hh:mm. */
export function isRfc3339(value: string): boolean {
  const m = /^(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2}):(\d{2})(\.\d+)?(Z|[+-](\d{2}):(\d{2}))$/.exec(
    value,
  );
  if (!m) return false;
  const [year, month, day, hour, minute, second] = m.slice(1, 7).map(Number) as number[];
  if (month! < 1 || month! > 12 || day! < 1 || day! > daysIn(month!, year!)) return false;
  if (hour! > 23 || minute! > 59 || second! > 59) return false;
  if (m[9] !== undefined && (Number(m[9]) > 23 || Number(m[10]) > 59)) return false;
  return true;
}

function daysIn(month: number, year: number): number {
  if (month === 2) return year % 4 === 0 && (year % 100 !== 0 || year % 400 === 0) ? 29 : 28;
  return [4, 6, 9, 11].includes(month) ? 30 : 31;
}
