import { Option } from 'commander';
import { UserError } from '../errors.js';
import { checkQualifiedName } from '../kube/names.js';
import { escapeControl } from '../terminal-text.js';
import { collectCsv } from './artifact-flags.js';

/** A label value: empty, or at most 63 of A-Z a-z 0-9 - _ . starting and ending alphanumeric. */
const LABEL_VALUE = /^(([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9])?$/;

/** Flux's `--label` of the create commands: repeatable, each a comma-separated list. */
export function labelOption(): Option {
  return new Option(
    '--label <key=value>',
    'set labels on the resource (can specify multiple labels with commas: label1=value1,label2=value2)',
  ).argParser(collectCsv);
}

/** The labels of `--label` values, checked as Flux's parseLabels checks them. */
export function parseLabels(values: readonly string[] = []): Record<string, string> {
  const labels: Record<string, string> = {};
  for (const label of values) {
    const parts = label.split('=');
    if (parts.length !== 2) {
      throw new UserError(`invalid label format '${escapeControl(label)}', must be key=value`);
    }
    const [key, value] = parts;
    checkQualifiedName(key, 'label');
    if (value.length > 63 || !LABEL_VALUE.test(value)) {
      throw new UserError(
        `invalid label value '${escapeControl(value)}' of ${key}: use at most 63 letters, digits, '-', '_' or '.', starting and ending with a letter or digit (or nothing)`,
      );
    }
    labels[key] = value;
  }
  return labels;
}
