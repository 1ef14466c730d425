#!/usr/bin/env node
'use strict';
let main;
try {
  ({ main } = require('../dist/main.js'));
} catch (e) {
  process.stderr.write('epl: the CLI is not built (' + e.message.split('\n')[0] + ').\nRun `npm install` at the repository root (it builds every package).\n');
  process.exit(2);
}
main(process.argv.slice(2)).then(
  (code) => {
    process.exitCode = code;
  },
  (err) => {
    process.stderr.write('epl: internal error: ' + ((err && err.stack) || err) + '\n');
    process.exitCode = 70;
  },
);
