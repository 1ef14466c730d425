// Builds what the extension ships, in dist/bundle/: extension.js (the client, with
// vscode-languageclient bundled in; `vscode` is the editor's own) and server.js (a copy of the
// language server's bundle, @epl/language-server's `./server` export). `vsce package` packs
// these two files, the grammar, the language configuration and the README (.vscodeignore).
'use strict';
const fs = require('node:fs');
const path = require('node:path');
const esbuild = require('esbuild');

const out = path.join(__dirname, 'dist', 'bundle');

async function main() {
  fs.rmSync(out, { recursive: true, force: true });
  await esbuild.build({
    entryPoints: [path.join(__dirname, 'dist', 'extension.js')],
    outfile: path.join(out, 'extension.js'),
    bundle: true,
    platform: 'node',
    format: 'cjs',
    target: 'node20',
    external: ['vscode'],
    logLevel: 'warning',
  });
  fs.copyFileSync(require.resolve('@epl/language-server/server'), path.join(out, 'server.js'));
}

main().catch((e) => {
  process.stderr.write(`bundle: ${(e && e.stack) || e}\n`);
  process.exit(1);
});
