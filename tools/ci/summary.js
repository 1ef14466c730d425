// Sums the jest --json files in a folder into the one line CI reads: `N passed, N failed`.
// Exits 1 when no test ran at all, so an empty run is never mistaken for a green one.
'use strict';
const fs = require('node:fs');
const path = require('node:path');

const dir = process.argv[2];
let passed = 0;
let failed = 0;
let suitesFailed = 0;
const files = fs.existsSync(dir) ? fs.readdirSync(dir).filter((f) => f.endsWith('.json')) : [];
for (const f of files) {
  const r = JSON.parse(fs.readFileSync(path.join(dir, f), 'utf8'));
  passed += r.numPassedTests;
  failed += r.numFailedTests;
  // A suite that failed to run (syntax error, crash) has no failed tests but must count.
  suitesFailed += r.testResults.filter((t) => t.status === 'failed' && t.assertionResults.every((a) => a.status !== 'failed')).length;
}
failed += suitesFailed;
process.stdout.write(`${passed} passed, ${failed} failed\n`);
process.exitCode = passed + failed === 0 ? 1 : 0;
