// The built server (bin/epl-language-server) driven over stdio with JSON-RPC, as an editor does.
import { TextDocument } from 'vscode-languageserver-textdocument';
import type { CompletionItem, DocumentSymbol, Hover, Location } from 'vscode-languageserver-types';
import { spawnServer } from '../src/client';
import type { PublishedDiagnostics, SpawnedServer } from '../src/client';
import { diagnose } from '../src/diagnostics';
import { find, foundingText } from './helpers';

const URI = 'file:///work/scenarios/founding.epl';
const text = foundingText();

let server: SpawnedServer;
let version = 1;

beforeAll(async () => {
  server = spawnServer();
  const init = await server.connection.sendRequest<{ capabilities: Record<string, unknown>; serverInfo: { name: string } }>('initialize', {
    processId: process.pid,
    rootUri: null,
    capabilities: {},
  });
  expect(init.serverInfo.name).toBe('epl-language-server');
  expect(init.capabilities).toMatchObject({
    hoverProvider: true,
    definitionProvider: true,
    documentSymbolProvider: true,
    executeCommandProvider: { commands: ['epl.runFile'] },
  });
  await server.connection.sendNotification('initialized', {});
});

afterAll(async () => {
  expect(await server.stop()).toBe(0);
  expect(server.stderr()).toBe('');
  // A handler that threw would have logged it (and answered nothing).
  expect(server.logs().filter((l) => l.type === 1)).toEqual([]);
});

const request = <T>(method: string, params: object): Promise<T> => server.connection.sendRequest(method, params);
const position = (p: { line: number; character: number }) => ({ textDocument: { uri: URI }, position: p });

/** Sends a change and waits for the diagnostics of that version. */
async function change(changes: object[]): Promise<PublishedDiagnostics> {
  version++;
  const v = version;
  const published = server.nextDiagnostics(URI, (p) => p.version === v);
  await server.connection.sendNotification('textDocument/didChange', { textDocument: { uri: URI, version: v }, contentChanges: changes });
  return published;
}

describe('the server over stdio', () => {
  it('publishes a located diagnostic for a document opened with an error', async () => {
    const broken = text.replace('shutdown 5 RD ', 'shutdown 8 RD ');
    const published = server.nextDiagnostics(URI);
    await server.connection.sendNotification('textDocument/didOpen', { textDocument: { uri: URI, languageId: 'epl', version, text: broken } });
    const { diagnostics, version: v } = await published;
    expect(v).toBe(1);
    const at = find(broken, 'shutdown 8 RD', '8');
    expect(diagnostics).toEqual([
      {
        range: { start: at, end: { line: at.line, character: at.character + 1 } },
        severity: 1,
        source: 'epl',
        message: "unknown name '8' (known: 3, 5, 6)",
      },
    ]);
  });

  it('clears it when an edit fixes the text, and publishes the next error', async () => {
    const at = find(text, 'shutdown 5 RD', '5');
    const fixed = await change([{ range: { start: at, end: { line: at.line, character: at.character + 1 } }, text: '5' }]);
    expect(fixed.diagnostics).toEqual([]);
    const flag = find(text, 'add 3 6 IN|OUT|ERR|HUP|RDHUP', 'HUP');
    const broken = await change([{ range: { start: flag, end: { line: flag.line, character: flag.character + 3 } }, text: 'HUPP' }]);
    expect(broken.diagnostics.map((d) => [d.message, d.range.start, d.range.end.character - d.range.start.character])).toEqual([
      ["unknown flag 'HUPP' (IN, OUT, PRI, ERR, HUP, RDHUP, ET, ONESHOT, …)", flag, 4],
    ]);
    expect((await change([{ text }])).diagnostics).toEqual([]);
  });

  it('completes flags, names in scope and errno names', async () => {
    const afterAdd = find(text, 'add 3 5 IN|OUT|ERR|HUP|RDHUP', 'IN');
    const flags = await request<CompletionItem[]>('textDocument/completion', position(afterAdd));
    expect(flags.map((i) => i.label)).toEqual(expect.arrayContaining(['IN', 'OUT', 'RDHUP', 'ET', 'ONESHOT']));
    const close = find(text, 'close 7                       => 0  ~> 5 > 6 F.', '7');
    const names = await request<CompletionItem[]>('textDocument/completion', position(close));
    expect(names.map((i) => i.label)).toEqual(['3', '5', '6', '7']);
    const result = find(text, 'del 3 5                       => EBADF', 'EBADF');
    const errnos = await request<CompletionItem[]>('textDocument/completion', position(result));
    expect(errnos.map((i) => i.label)).toEqual(expect.arrayContaining(['ok', 'none', 'EBADF', 'EPIPE', 'ECONNRESET']));
  });

  it('answers hover with the reference entry', async () => {
    const h = await request<Hover>('textDocument/hover', position(find(text, 'dup 5 -> 7', 'dup')));
    expect((h.contents as { value: string }).value).toContain('`dup A -> B`');
  });

  it('goes to the definition of a name', async () => {
    const use = find(text, 'del 3 5                       => EBADF', '5');
    const loc = await request<Location>('textDocument/definition', position(use));
    const tcp = find(text, 'tcp 5 6', '5');
    expect(loc).toEqual({ uri: URI, range: { start: tcp, end: { line: tcp.line, character: tcp.character + 1 } } });
  });

  it('lists the setup and the scenarios as symbols', async () => {
    const symbols = await request<DocumentSymbol[]>('textDocument/documentSymbol', { textDocument: { uri: URI } });
    expect(symbols.map((s) => s.name.slice(0, 2))).toEqual(['se', '1.', '2.', '3.', '4.', '5.']);
  });

  it('runs the document on epl.runFile, then hovers with what each step did and flags failed expectations', async () => {
    const summary = await request<{ scenarios: number }>('workspace/executeCommand', { command: 'epl.runFile', arguments: [URI] });
    expect(summary.scenarios).toBe(5);
    const h = await request<Hover>('textDocument/hover', position(find(text, 'shutdown 5 RD', 'shutdown')));
    expect((h.contents as { value: string }).value).toContain('**Last run**');
    expect((h.contents as { value: string }).value).toContain('shutdown(5, SHUT_RD) = 0');

    const wrong = text.replace('shutdown 5 RD                 => 0 ', 'shutdown 5 RD                 => 1 ');
    await change([{ text: wrong }]);
    const published = server.nextDiagnostics(URI, (p) => p.diagnostics.length > 0);
    await request('workspace/executeCommand', { command: 'epl.runFile', arguments: [{ uri: URI }] });
    const { diagnostics } = await published;
    const arrow = find(wrong, 'shutdown 5 RD', '=>');
    expect(diagnostics.map((d) => ({ ...d, message: (d.message as string).replace(/"1\. [^"]*"/, '"1. …"') }))).toEqual([
      {
        range: { start: arrow, end: { line: arrow.line, character: arrow.character + 4 } },
        severity: 2,
        source: 'epl run',
        message: 'scenario "1. …": expected => 1, got => 0',
      },
    ]);
    // The next edit makes the run stale: only the compiler's verdict remains.
    expect((await change([{ text }])).diagnostics).toEqual([]);
  });

  it('runs the document edited last when the command has no argument', async () => {
    const summary = await request<{ scenarios: number }>('workspace/executeCommand', { command: 'epl.runFile', arguments: [] });
    expect(summary.scenarios).toBe(5);
  });

  it('answers a run request for a document it does not have with an error', async () => {
    await expect(request('workspace/executeCommand', { command: 'epl.runFile', arguments: ['file:///nowhere.epl'] })).rejects.toThrow(/open document/);
  });

  it('answers requests about unknown documents and positions with nothing', async () => {
    const nowhere = { textDocument: { uri: 'file:///nowhere.epl' }, position: { line: 0, character: 0 } };
    expect(await request('textDocument/completion', nowhere)).toEqual([]);
    expect(await request('textDocument/hover', nowhere)).toBeNull();
    expect(await request('textDocument/definition', position({ line: 9999, character: 9999 }))).toBeNull();
    expect(await request('textDocument/completion', position({ line: -1, character: -5 }))).toEqual([]);
  });

  it('survives random edits and requests, and its diagnostics follow the text', async () => {
    // A deterministic PRNG (mulberry32): the same edits every run.
    let seed = 20251204;
    const rnd = () => {
      seed = (seed + 0x6d2b79f5) >>> 0;
      let t = seed;
      t = Math.imul(t ^ (t >>> 15), t | 1);
      t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
      return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
    };
    const pick = <T>(xs: readonly T[]): T => xs[Math.floor(rnd() * xs.length)];
    const PIECES = [
      'tcp',
      ' 5',
      ' 6',
      ';',
      '\n',
      '"',
      '"a\\x',
      '{',
      '}',
      'scenario "t" {',
      '=> ',
      '~> 5 > 6 F.',
      'IN|',
      'EPIPE',
      'dup 5 -> ',
      '#',
      '\\',
      '\x00',
      'é',
      '-',
      '0x',
      ' ',
      'wait',
      '|',
      ':',
    ];
    let doc = TextDocument.create(URI, 'epl', version, text);
    const methods = ['textDocument/completion', 'textDocument/hover', 'textDocument/definition'];
    for (let i = 0; i < 300; i++) {
      const line = Math.floor(rnd() * (doc.lineCount + 2));
      const character = Math.floor(rnd() * 90);
      const start = { line, character };
      const end = rnd() < 0.5 ? start : { line: line + Math.floor(rnd() * 3), character: Math.floor(rnd() * 90) };
      const insert = Array.from({ length: Math.floor(rnd() * 4) }, () => pick(PIECES)).join('');
      const edit = { range: { start, end: end.line < start.line || (end.line === start.line && end.character < start.character) ? start : end }, text: insert };
      version++;
      doc = TextDocument.update(doc, [edit], version);
      await server.connection.sendNotification('textDocument/didChange', { textDocument: { uri: URI, version }, contentChanges: [edit] });
      const at = { line: Math.floor(rnd() * doc.lineCount), character: Math.floor(rnd() * 80) };
      await request(pick(methods), position(at));
      if (i % 50 === 0) await request('textDocument/documentSymbol', { textDocument: { uri: URI } });
    }
    // Whatever it went through, the last diagnostics are the compiler's on the text we hold.
    const last = await change([{ text: doc.getText() + '\n' }]);
    expect(last.diagnostics).toEqual(diagnose(doc.getText() + '\n', '/work/scenarios/founding.epl'));
    expect(last.diagnostics).toHaveLength(1);
  }, 60_000);

  it('clears the diagnostics of a closed document', async () => {
    await change([{ text: 'close 9' }]);
    const cleared = server.nextDiagnostics(URI);
    await server.connection.sendNotification('textDocument/didClose', { textDocument: { uri: URI } });
    expect((await cleared).diagnostics).toEqual([]);
  });
});
