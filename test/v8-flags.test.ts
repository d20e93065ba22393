import { runInNewContext } from 'node:vm';
import { setV8Flags } from '../src/v8-flags.js';

test('a flag set in the running process takes effect: a context made after --expose-gc has gc', () => {
  expect(runInNewContext('typeof gc')).toBe('undefined');
  expect(setV8Flags('--expose-gc')).toBe(true);
  expect(runInNewContext('typeof gc')).toBe('function');
});
