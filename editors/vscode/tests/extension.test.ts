// The extension as it is packed: its manifest, the files it names, and the server it ships.
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { spawnServer } from '@epl/language-server';

const root = path.join(__dirname, '..');
interface Manifest {
  name: string;
  publisher: string;
  main: string;
  engines: { vscode: string };
  devDependencies: Record<string, string>;
  contributes: {
    languages: { id: string; extensions: string[]; configuration: string }[];
    grammars: { language: string; scopeName: string; path: string }[];
    commands: { command: string }[];
  };
}
const manifest = JSON.parse(fs.readFileSync(path.join(root, 'package.json'), 'utf8')) as Manifest;
const SHIPPED_SERVER = path.join(root, 'dist', 'bundle', 'server.js');

describe('the manifest', () => {
  it('passes the checks vsce makes', () => {
    // vsce: a lower-case name of letters, digits and dashes; a publisher; @types/vscode no newer than engines.vscode.
    expect(manifest.name).toMatch(/^[a-z0-9][a-z0-9-]*$/);
    expect(manifest.publisher).toMatch(/^[a-z0-9][a-z0-9-]*$/);
    const engine = /^\^(\d+)\.(\d+)\.(\d+)$/.exec(manifest.engines.vscode)!.slice(1).map(Number);
    const types = manifest.devDependencies['@types/vscode'].split('.').map(Number);
    expect(types[0] * 1e6 + types[1] * 1e3 + types[2]).toBeLessThanOrEqual(engine[0] * 1e6 + engine[1] * 1e3 + engine[2]);
  });

  it('names files that exist: the bundles, the grammar and the language configuration', () => {
    expect(fs.existsSync(path.join(root, manifest.main))).toBe(true);
    expect(fs.existsSync(SHIPPED_SERVER)).toBe(true);
    const [language] = manifest.contributes.languages;
    expect(language).toMatchObject({ id: 'epl', extensions: ['.epl'] });
    const config = JSON.parse(fs.readFileSync(path.join(root, language.configuration), 'utf8')) as Record<string, unknown>;
    expect(config).toMatchObject({ comments: { lineComment: '#' }, brackets: [['{', '}']] });
    expect(config.autoClosingPairs).toEqual(expect.arrayContaining([{ open: '"', close: '"', notIn: ['string', 'comment'] }]));
    const [grammar] = manifest.contributes.grammars;
    const tm = JSON.parse(fs.readFileSync(path.join(root, grammar.path), 'utf8')) as { scopeName: string };
    expect(grammar).toMatchObject({ language: 'epl', scopeName: tm.scopeName });
  });

  it('declares the command the extension registers', () => {
    expect(manifest.contributes.commands.map((c) => c.command)).toEqual(['epl.run']);
    expect(fs.readFileSync(path.join(root, 'src', 'extension.ts'), 'utf8')).toContain("registerCommand('epl.run'");
  });

  it('packs only what the editor loads', () => {
    const kept = fs
      .readFileSync(path.join(root, '.vscodeignore'), 'utf8')
      .split('\n')
      .filter((l) => l.startsWith('!'))
      .map((l) => l.slice(1));
    expect(kept.sort()).toEqual([
      'README.md',
      'dist/bundle/extension.js',
      'dist/bundle/server.js',
      'language-configuration.json',
      'package.json',
      'syntaxes/epl.tmLanguage.json',
    ]);
    for (const f of kept) expect(fs.existsSync(path.join(root, f))).toBe(true);
  });
});

describe('the shipped server', () => {
  // Installed, the server is a lone file in the editor's extensions folder: copy it out of the
  // repository so that nothing beside it resolves @epl/runner.
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'epl-vscode-'));
  const lone = path.join(dir, 'server.js');
  fs.copyFileSync(SHIPPED_SERVER, lone);
  afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

  it('answers over stdio on its own, and runs a document with the runner of the document’s project', async () => {
    const server = spawnServer(lone);
    await server.connection.sendRequest('initialize', { processId: process.pid, rootUri: null, capabilities: {} });
    // A document inside this repository: its project has @epl/runner.
    const inRepo = 'file://' + path.join(root, 'tests', 'x.epl');
    const published = server.nextDiagnostics(inRepo);
    await server.connection.sendNotification('textDocument/didOpen', {
      textDocument: { uri: inRepo, languageId: 'epl', version: 1, text: 'pipe r w\nclose 8\n' },
    });
    expect((await published).diagnostics.map((d) => d.message)).toEqual(["unknown name '8' (known: r, w)"]);
    await server.connection.sendNotification('textDocument/didChange', {
      textDocument: { uri: inRepo, version: 2 },
      contentChanges: [{ text: 'pipe r w\nwrite w "a" => 1\n' }],
    });
    const summary = await server.connection.sendRequest<{ scenarios: number; passed: number }>('workspace/executeCommand', {
      command: 'epl.runFile',
      arguments: [inRepo],
    });
    expect(summary).toMatchObject({ scenarios: 1, passed: 1 });
    // A document with no project around it: the run says what is missing.
    const alone = 'file://' + path.join(dir, 'y.epl');
    await server.connection.sendNotification('textDocument/didOpen', { textDocument: { uri: alone, languageId: 'epl', version: 1, text: 'pipe r w\n' } });
    await expect(server.connection.sendRequest('workspace/executeCommand', { command: 'epl.runFile', arguments: [alone] })).rejects.toThrow(
      /needs @epl\/runner/,
    );
    expect(await server.stop()).toBe(0);
    expect(server.stderr()).toBe('');
  }, 30_000);
});
