import { formatChangeSet } from '../../../src/bootstrap/apply/change-set.js';
import { formatDuration } from '../../../src/duration.js';
import { jsonEqual } from '../../../src/bootstrap/apply/drift.js';
import { ReadinessError } from '../../../src/bootstrap/readiness/readiness-error.js';
import { stderrProgressLogger } from '../../../src/bootstrap/progress-logger.js';
import { UserError } from '../../../src/errors.js';
import { PassThrough } from 'node:stream';

describe('formatChangeSet', () => {
  it('prints one line per object the way flux does', () => {
    expect(
      formatChangeSet([
        {
          ref: {
            apiVersion: 'apiextensions.k8s.io/v1',
            kind: 'CustomResourceDefinition',
            name: 'x',
          },
          action: 'created',
        },
        {
          ref: { apiVersion: 'apps/v1', kind: 'Deployment', namespace: 'flux-system', name: 'sc' },
          action: 'unchanged',
        },
      ]),
    ).toBe('CustomResourceDefinition/x created\nDeployment/flux-system/sc unchanged');
  });
});

describe('formatDuration', () => {
  it.each([
    [300_000, '5m0s'],
    [30_000, '30s'],
    [90_000, '1m30s'],
    [1_500, '1.5s'],
    [500, '500ms'],
    [3_723_000, '1h2m3s'],
  ])('%d ms is %s', (ms, text) => expect(formatDuration(ms)).toBe(text));
});

describe('jsonEqual', () => {
  it('ignores key order but not values or array order', () => {
    expect(jsonEqual({ a: 1, b: [1, { c: 2 }] }, { b: [1, { c: 2 }], a: 1 })).toBe(true);
    expect(jsonEqual({ a: 1 }, { a: 1, b: undefined })).toBe(false);
    expect(jsonEqual([1, 2], [2, 1])).toBe(false);
  });
});

describe('ReadinessError', () => {
  it('names every object not ready with what was last seen', () => {
    const error = new ReadinessError(
      [
        {
          ref: {
            apiVersion: 'kustomize.toolkit.fluxcd.io/v1',
            kind: 'Kustomization',
            namespace: 'flux-system',
            name: 'flux-system',
          },
          readiness: {
            state: 'inProgress',
            message: 'Ready=Unknown (Progressing): reconciliation in progress',
          },
        },
        {
          ref: {
            apiVersion: 'apps/v1',
            kind: 'Deployment',
            namespace: 'flux-system',
            name: 'source-controller',
          },
          readiness: { state: 'inProgress', message: 'Available: 0/1' },
        },
      ],
      true,
      120_000,
    );
    expect(error).toBeInstanceOf(UserError);
    expect(error.message).toBe(
      'timed out after 2m0s waiting for 2 objects to be ready:\n' +
        '  Kustomization/flux-system/flux-system: not ready, Ready=Unknown (Progressing): reconciliation in progress\n' +
        '  Deployment/flux-system/source-controller: not ready, Available: 0/1',
    );
  });
});

describe('stderrProgressLogger', () => {
  it('prefixes lines like flux', () => {
    const stream = new PassThrough();
    const logger = stderrProgressLogger(stream);
    logger.step('installing components');
    logger.success('done');
    logger.failure('broken');
    logger.waiting('waiting');
    expect(stream.read().toString()).toBe('► installing components\n✔ done\n✗ broken\n◎ waiting\n');
  });

  it('escapes control characters, so text from a registry or an artifact stays one inert line', () => {
    const stream = new PassThrough();
    const logger = stderrProgressLogger(stream);
    // e.g. a `# Flux Version:` header that `upgrade` prints
    logger.success('pulled r.io/x@sha256:1 (Flux v2.9.5\n✔ faked\x1b[2K)');
    logger.step('a\rb');
    logger.failure('c\u202ed');
    logger.waiting('e\tf');
    expect(stream.read().toString()).toBe(
      '✔ pulled r.io/x@sha256:1 (Flux v2.9.5\\n✔ faked\\x1b[2K)\n► a\\rb\n✗ c\\u202ed\n◎ e\\tf\n',
    );
  });
});
