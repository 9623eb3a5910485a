// Prints the closing lines of the whole run from the vitest and Playwright JSON reports: every failed
// test with the start of its error (so the end of a long CI log says what failed), then "N passed, N failed".
import fs from 'node:fs';
import path from 'node:path';

const firstLines = (text, n = 6) =>
  String(text ?? '')
    .replace(/\x1b\[[0-9;]*m/g, '')
    .split('\n')
    .slice(0, n)
    .map((line) => `      ${line}`)
    .join('\n');

let passed = 0;
let failed = 0;
let skipped = 0;
const failures = [];

function vitestFailures(report, label) {
  for (const file of report.testResults ?? []) {
    const name = path.relative(process.cwd(), file.name);
    const failedTests = (file.assertionResults ?? []).filter((t) => t.status === 'failed');
    for (const test of failedTests) failures.push(`[${label}] ${name} › ${test.fullName}\n${firstLines(test.failureMessages?.[0])}`);
    // A file that failed outside any test (an import error, a hook) has no failed assertion to show.
    if (file.status === 'failed' && failedTests.length === 0) failures.push(`[${label}] ${name}\n${firstLines(file.message)}`);
  }
}

function playwrightFailures(suite, trail) {
  const title = [...trail, suite.title].filter(Boolean);
  for (const spec of suite.specs ?? []) {
    for (const test of spec.tests ?? []) {
      if (test.status !== 'unexpected' && test.status !== 'flaky') continue;
      const error = test.results?.find((r) => r.error)?.error;
      failures.push(`[e2e${test.status === 'flaky' ? ', flaky' : ''}] ${spec.file}:${spec.line} › ${[...title.slice(1), spec.title].join(' › ')}\n${firstLines(error?.message)}`);
    }
  }
  for (const child of suite.suites ?? []) playwrightFailures(child, title);
}

for (const file of process.argv.slice(2)) {
  if (!fs.existsSync(file)) continue;
  const report = JSON.parse(fs.readFileSync(file, 'utf8'));
  if ('numPassedTests' in report) {
    passed += report.numPassedTests;
    failed += report.numFailedTests;
    skipped += report.numPendingTests + (report.numTodoTests ?? 0);
    vitestFailures(report, path.basename(file, '.json'));
  } else if (report.stats) {
    passed += report.stats.expected;
    failed += report.stats.unexpected + (report.stats.flaky ?? 0);
    skipped += report.stats.skipped;
    for (const suite of report.suites ?? []) playwrightFailures(suite, []);
  }
}
if (failures.length) console.log(`\nFailed:\n${failures.map((f) => `  ${f}`).join('\n')}\n`);
console.log(`${passed} passed, ${failed} failed${skipped ? `, ${skipped} skipped` : ''}`);
