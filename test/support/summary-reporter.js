// A jest reporter that appends each run's totals to $JEST_SUMMARY_FILE, so .ci/run can end
// with one "N passed, N failed" line for the unit and end-to-end runs together.
import { appendFileSync } from 'node:fs';

export default class SummaryReporter {
  onRunComplete(_contexts, results) {
    const file = process.env.JEST_SUMMARY_FILE;
    if (!file) return;
    const { numPassedTests, numFailedTests, numPendingTests } = results;
    appendFileSync(file, `${numPassedTests} ${numFailedTests} ${numPendingTests}\n`);
  }
}
