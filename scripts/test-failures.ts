/**
 * The last lines `npm test` prints when it fails: the failed tests of each vitest run, read from the
 * JSON reports the runs write into test-results/. `npm test` prints each of its two lines' output
 * whole when the line ends, so a failure in the line that ends first would otherwise sit far above
 * the end of the log.
 */
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';

interface Assertion {
  fullName: string;
  status: string;
  failureMessages: string[];
}
interface FileResult {
  name: string;
  status: string;
  message: string;
  assertionResults: Assertion[];
}
interface Report {
  success: boolean;
  numTotalTests: number;
  numFailedTests: number;
  testResults: FileResult[];
}

/** The vitest runs of `npm test` and the report each writes (package.json, the test:* scripts). */
const RUNS = ['unit', 'e2e', 'trainer'] as const;
const REPORTS = path.resolve('test-results');
const MESSAGE_LINES = 12;

const indent = (text: string) =>
  text
    .split('\n')
    .filter((line) => !line.includes('node_modules/') && !line.includes('new Promise'))
    .slice(0, MESSAGE_LINES)
    .map((line) => `      ${line}`)
    .join('\n');

/** What one run's report says failed, as lines to print. */
function failures(report: Report): string[] {
  const lines: string[] = [];
  for (const file of report.testResults) {
    const name = path.relative(process.cwd(), file.name);
    const failed = file.assertionResults.filter((a) => a.status === 'failed');
    if (failed.length === 0 && file.status === 'failed') lines.push(`  ${name}\n${indent(file.message)}`);
    for (const a of failed) lines.push(`  ${name} > ${a.fullName}\n${indent(a.failureMessages.join('\n'))}`);
  }
  if (lines.length === 0 && !report.success)
    lines.push('  no test failed, but the run did not succeed (an unhandled error)');
  return lines;
}

console.log('\nnpm test failed. What each test run reported:');
let anyTestFailed = false;
for (const run of RUNS) {
  const file = path.join(REPORTS, `${run}.json`);
  if (!existsSync(file)) {
    console.log(`- ${run}: no report (the run did not finish, or did not start)`);
    anyTestFailed = true;
    continue;
  }
  const report = JSON.parse(readFileSync(file, 'utf8')) as Report;
  const lines = failures(report);
  console.log(`- ${run}: ${report.numFailedTests} of ${report.numTotalTests} tests failed`);
  for (const line of lines) console.log(line);
  anyTestFailed ||= lines.length > 0;
}
if (!anyTestFailed) console.log('No test failed: a lint or type-check step did (its ERROR line is above).');
