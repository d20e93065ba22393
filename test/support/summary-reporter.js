// A jest reporter that appends each run's totals to $JEST_SUMMARY_FILE, so .ci/run can end
// with one "N passed, N failed, N skipped" line for the unit and end-to-end runs together.
// A test file that fails outside any test (a hook such as afterAll, an import, a syntax
// error) counts as one failure: its tests may all have passed. Skipped tests are listed by
// name, so a run that proves less (e.g. no Terraform) says so.
//
// Lines written: `totals <passed> <failed> <skipped>`, `failed <file>: <first line>` and
// `skipped <full test name>`.
import { appendFileSync } from 'node:fs';
import { relative } from 'node:path';

export default class SummaryReporter {
  onRunComplete(_contexts, results) {
    const file = process.env.JEST_SUMMARY_FILE;
    if (!file) return;
    const lines = [];
    let failedOutsideTests = 0;
    for (const suite of results.testResults) {
      // testExecError: the file could not run (an import, a syntax error); failureMessage
      // with no failing test: a hook such as afterAll failed after the tests passed.
      const outside =
        suite.testExecError || (suite.failureMessage && suite.numFailingTests === 0)
          ? `${suite.failureMessage ?? ''}\n${suite.testExecError?.message ?? ''}`
          : undefined;
      if (outside !== undefined) {
        failedOutsideTests++;
        // The first line that says something, without colours.
        const first =
          outside
            // eslint-disable-next-line no-control-regex -- jest's colour codes
            .replace(/\u001b\[[0-9;]*m/g, '')
            .split('\n')
            .map((l) => l.trim())
            .find((l) => l && !l.startsWith('●')) ?? 'no message';
        lines.push(`failed ${relative(process.cwd(), suite.testFilePath)}: ${first}`);
      }
      for (const test of suite.testResults) {
        if (test.status === 'pending' || test.status === 'skipped' || test.status === 'todo') {
          lines.push(`skipped ${test.fullName}`);
        }
      }
    }
    const { numPassedTests, numFailedTests, numPendingTests, numTodoTests } = results;
    lines.unshift(
      `totals ${numPassedTests} ${numFailedTests + failedOutsideTests} ${numPendingTests + numTodoTests}`,
    );
    appendFileSync(file, `${lines.join('\n')}\n`);
  }
}
