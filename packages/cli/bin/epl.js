#!/usr/bin/env node
'use strict';
let cli;
try {
  // The bundle (bundle.js): one file per command loads far faster than the CLI's modules.
  ({ cli } = require('../dist/bundle/main.js'));
} catch (e) {
  process.stderr.write('epl: the CLI is not built (' + e.message.split('\n')[0] + ').\nRun `npm install` at the repository root (it builds every package).\n');
  process.exit(2);
}
cli(process.argv.slice(2)).then(
  (code) => {
    process.exitCode = code;
  },
  (err) => {
    process.stderr.write('epl: internal error: ' + ((err && err.stack) || err) + '\n');
    process.exitCode = 70;
  },
);
