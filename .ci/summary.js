// Prints one closing line CI can read: "tests: N passed, N failed[, N skipped]" over jest and unittest.
const fs = require('node:fs');
// Arguments: jest.json python.txt [more jest JSON files, e.g. the browser tests'].
const [jestJson, pythonLog, ...moreJest] = process.argv.slice(2);
let passed = 0, failed = 0, skipped = 0;
for (const file of [jestJson, ...moreJest]) {
  try {
    const jest = JSON.parse(fs.readFileSync(file, 'utf8'));
    passed += jest.numPassedTests; failed += jest.numFailedTests + (jest.numRuntimeErrorTestSuites ?? 0);
    skipped += jest.numPendingTests;
  } catch (error) {
    console.error(`no jest results in ${file} (${error.message})`); failed += 1;
  }
}
try {
  const log = fs.readFileSync(pythonLog, 'utf8');
  const ran = Number((log.match(/^Ran (\d+) tests?/m) ?? [0, 0])[1]);
  const failures = log.match(/^FAILED \((.*)\)$/m);
  let bad = 0, skip = 0;
  if (failures) for (const part of failures[1].split(', ')) {
    const [key, value] = part.split('=');
    if (key === 'failures' || key === 'errors') bad += Number(value);
    if (key === 'skipped') skip += Number(value);
  }
  const okSkipped = log.match(/^OK \(skipped=(\d+)\)$/m);
  if (okSkipped) skip += Number(okSkipped[1]);
  passed += ran - bad - skip; failed += bad; skipped += skip;
  if (ran === 0) { console.error('python: no tests ran'); failed += 1; }
} catch (error) {
  console.error(`no python results (${error.message})`); failed += 1;
}
console.log(`tests: ${passed} passed, ${failed} failed, ${skipped} skipped`);
