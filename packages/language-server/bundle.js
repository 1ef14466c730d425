// Bundles the compiled server (dist/main.js) into one file, dist/bundle/main.js: what the bin
// runs and what the VS Code extension ships. As separate modules (vscode-languageserver's
// protocol alone is dozens of files, then the compiler's packages) the server took about 70 ms
// longer to answer `initialize` on the 2-core development machine.
// @epl/runner stays external: it loads the native addon and starts threads, and only the
// `epl.runFile` command needs it (run-cache.ts finds it beside the server or in the document's
// project).
'use strict';
const path = require('node:path');
const esbuild = require('esbuild');

esbuild
  .build({
    entryPoints: [path.join(__dirname, 'dist', 'main.js')],
    outfile: path.join(__dirname, 'dist', 'bundle', 'main.js'),
    bundle: true,
    platform: 'node',
    format: 'cjs',
    target: 'node20',
    external: ['@epl/runner', '@epl/check', '@epl/report'],
    sourcemap: true,
    logLevel: 'warning',
  })
  .catch((e) => {
    process.stderr.write(`bundle: ${(e && e.stack) || e}\n`);
    process.exit(1);
  });
