// Compiles grammar/epl.ne to src/generated/epl.ts with nearleyc, and replaces the file only when
// its text changed: a rebuild that changes nothing leaves the file (and what was built from it,
// such as the CLI's bundle) current.
'use strict';
const { execFileSync } = require('node:child_process');
const fs = require('node:fs');
const path = require('node:path');

const out = path.join(__dirname, 'src', 'generated', 'epl.ts');
const tmp = `${out}.${process.pid}.tmp`;
fs.mkdirSync(path.dirname(out), { recursive: true });
execFileSync(process.execPath, [require.resolve('nearley/bin/nearleyc.js'), path.join(__dirname, '..', '..', 'grammar', 'epl.ne'), '-o', tmp], {
  stdio: 'inherit',
});
const text = fs.readFileSync(tmp, 'utf8');
if (fs.existsSync(out) && fs.readFileSync(out, 'utf8') === text) fs.rmSync(tmp);
else fs.renameSync(tmp, out);
