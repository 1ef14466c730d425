// Bundles the compiled CLI (dist/) into dist/bundle/: main.js, and one file per command with
// everything that command loads from @epl/* and nearley/moo. `epl run FILE` is dominated by
// start-up: as 41 separate modules the CLI and its packages took ~42 ms to load (resolving
// bare specifiers through workspace symlinks, reading each package.json, one compile per file),
// as one file per command ~25 ms. main.js loads only the command it runs, as dist/main.js does.
//
// Every bundled module still sees its own directory: `__dirname`/`__filename` are rewritten to
// the module's original location (the executor finds its .node file from there, the pool its
// worker.js). piscina stays external: its workers load runner/dist/worker.js, never a bundle.
'use strict';
const fs = require('node:fs');
const path = require('node:path');
const esbuild = require('esbuild');

const dist = path.join(__dirname, 'dist');
const out = path.join(dist, 'bundle');
const commands = fs
  .readdirSync(path.join(dist, 'commands'))
  .filter((f) => f.endsWith('.js'))
  .map((f) => f.slice(0, -3));

/** `__dirname` and `__filename` of each bundled module, as paths from the bundle file's own directory. */
function ownPaths(outDir) {
  return {
    name: 'own-paths',
    setup(build) {
      build.onLoad({ filter: /\.js$/ }, async (args) => {
        const text = await fs.promises.readFile(args.path, 'utf8');
        if (!/\b__(dirname|filename)\b/.test(text)) return { contents: text, loader: 'js' };
        const from = (p) => `require('node:path').join(__dirname, ${JSON.stringify(path.relative(outDir, p))})`;
        const contents = text.replace(/\b__dirname\b/g, from(path.dirname(args.path))).replace(/\b__filename\b/g, from(args.path));
        return { contents, loader: 'js' };
      });
    },
  };
}

/** main.js keeps `require('./commands/NAME')` as it is: it finds the command's bundle beside it. */
const commandsExternal = {
  name: 'commands-external',
  setup(build) {
    build.onResolve({ filter: /^\.\/commands\// }, (args) => ({ path: args.path, external: true }));
  },
};

function bundle(entry, outfile, plugins) {
  return esbuild.build({
    entryPoints: [entry],
    outfile,
    bundle: true,
    platform: 'node',
    format: 'cjs',
    target: 'node20',
    external: ['piscina'],
    sourcemap: true,
    logLevel: 'warning',
    plugins: [...plugins, ownPaths(path.dirname(outfile))],
  });
}

async function main() {
  fs.rmSync(out, { recursive: true, force: true });
  await bundle(path.join(dist, 'main.js'), path.join(out, 'main.js'), [commandsExternal]);
  for (const c of commands) await bundle(path.join(dist, 'commands', c + '.js'), path.join(out, 'commands', c + '.js'), []);
}

main().catch((e) => {
  process.stderr.write(`bundle: ${(e && e.stack) || e}\n`);
  process.exit(1);
});
