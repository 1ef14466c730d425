// Sums the jest --json files in a folder into the one line CI reads: `N passed, N failed`.
// Every workspace with a `test` script must have left a file (named after its folder by
// jest-json-reporter.js): a project whose results are missing counts as one failure, and a
// run in which no test ran at all exits 1, so an empty run is never mistaken for a green one.
'use strict';
const fs = require('node:fs');
const path = require('node:path');

const dir = process.argv[2];
const root = path.join(__dirname, '..', '..');
let passed = 0;
let failed = 0;
const files = fs.existsSync(dir) ? fs.readdirSync(dir).filter((f) => f.endsWith('.json')) : [];
const reported = new Set();
for (const f of files) {
  const r = JSON.parse(fs.readFileSync(path.join(dir, f), 'utf8'));
  reported.add(f.replace(/-\d+\.json$/, ''));
  passed += r.numPassedTests;
  failed += r.numFailedTests;
  // A suite that failed to run (syntax error, crash) has no failed tests but must count.
  failed += r.testResults.filter((t) => t.status === 'failed' && t.assertionResults.every((a) => a.status !== 'failed')).length;
}
for (const ws of require(path.join(root, 'package.json')).workspaces) {
  const pkg = JSON.parse(fs.readFileSync(path.join(root, ws, 'package.json'), 'utf8'));
  if (pkg.scripts && pkg.scripts.test && !reported.has(path.basename(ws))) {
    process.stderr.write(`no jest results from ${ws}: its tests did not run or did not report\n`);
    failed += 1;
  }
}
process.stdout.write(`${passed} passed, ${failed} failed\n`);
process.exitCode = passed + failed === 0 || failed > 0 ? 1 : 0;
