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
      const outside = suite.testExecError
        ? suite.testExecError.message
        : suite.failureMessage && suite.numFailingTests === 0
          ? suite.failureMessage
          : undefined;
      if (outside !== undefined) {
        failedOutsideTests++;
        const first = String(outside).trim().split('\n')[0];
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
