// A jest reporter that writes what `jest --json` prints (formatTestResults of the run) to
// $EPL_JEST_JSON_DIR/<project>-<pid>.json, so .ci/run can sum every project's passed and
// failed counts into one line. Without the variable it does nothing.
'use strict';
const fs = require('node:fs');
const path = require('node:path');
const { formatTestResults } = require('@jest/test-result');

class JsonFileReporter {
  constructor(globalConfig) {
    this.rootDir = globalConfig.rootDir;
  }
  onRunComplete(_contexts, results) {
    const dir = process.env.EPL_JEST_JSON_DIR;
    if (!dir) return;
    fs.mkdirSync(dir, { recursive: true });
    const name = path.basename(this.rootDir);
    fs.writeFileSync(path.join(dir, `${name}-${process.pid}.json`), JSON.stringify(formatTestResults(results)));
  }
}
module.exports = JsonFileReporter;
