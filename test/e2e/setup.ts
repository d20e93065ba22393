// The end-to-end default for every test and hook without a timeout of its own: jest's 5 s
// is too short for a call to a real API server or registry on a loaded 2-core machine.
// Hooks and tests that start or stop the harness set theirs (harness/teardown.ts).
import { jest } from '@jest/globals';

jest.setTimeout(60_000);
