// The language server: documents in, diagnostics out as they change; completion, hover,
// definition and symbols on request; `epl.runFile` runs a document and keeps its results.
// Every handler answers something whatever the text: an exception in one is logged and the
// request gets an empty answer, never a dead server.
import * as path from 'node:path';
import { fileURLToPath } from 'node:url';
import { DiagnosticSeverity, TextDocumentSyncKind, TextDocuments } from 'vscode-languageserver';
import type { Connection, Diagnostic, InitializeResult } from 'vscode-languageserver';
import { TextDocument } from 'vscode-languageserver-textdocument';
import { analyze } from './analysis';
import type { Analysis } from './analysis';
import { complete } from './completion';
import { definition } from './definition';
import { diagnose } from './diagnostics';
import { hover } from './hover';
import { RunCache } from './run-cache';
import type { RunSummary } from './run-cache';
import { documentSymbols } from './symbols';

/** The command that runs a document on the kernel: arguments `[uri]` (or none: the document opened or edited last), answer a RunSummary. */
export const RUN_FILE_COMMAND = 'epl.runFile';

const VERSION = (require('../package.json') as { version: string }).version;

/** Serves one client on `connection` (already created over stdio, IPC or a socket) until it exits. */
export function startServer(connection: Connection, runs: RunCache = new RunCache()): void {
  const documents = new TextDocuments(TextDocument);
  const analyses = new Map<string, { version: number; analysis: Analysis }>();
  /** The document opened or edited last: what `epl.runFile` without an argument runs. */
  let lastTouched: string | undefined;

  const analysisOf = (uri: string): Analysis | undefined => {
    const doc = documents.get(uri);
    if (!doc) return undefined;
    const cached = analyses.get(uri);
    if (cached?.version === doc.version) return cached.analysis;
    const analysis = analyze(doc.getText());
    analyses.set(uri, { version: doc.version, analysis });
    return analysis;
  };

  /** Runs a handler; on an exception, logs it and answers `fallback`. */
  const guarded = <T>(what: string, fallback: T, work: () => T): T => {
    try {
      return work();
    } catch (e) {
      connection.console.error(`${what}: ${e instanceof Error ? String(e.stack) : String(e)}`);
      return fallback;
    }
  };

  // Diagnostics: after a burst of changes, only the latest text of each document is compiled.
  const dirty = new Set<string>();
  let scheduled = false;
  const validate = (uri: string) => {
    const doc = documents.get(uri);
    if (!doc) return;
    const diagnostics = guarded('diagnostics', [], () => [...diagnose(doc.getText(), documentPath(uri)), ...runDiagnostics(runs, uri, doc.version)]);
    void connection.sendDiagnostics({ uri, version: doc.version, diagnostics });
  };
  const schedule = (uri: string) => {
    dirty.add(uri);
    if (scheduled) return;
    scheduled = true;
    setImmediate(() => {
      scheduled = false;
      const uris = [...dirty];
      dirty.clear();
      uris.forEach(validate);
    });
  };

  connection.onInitialize((): InitializeResult => ({
    capabilities: {
      textDocumentSync: TextDocumentSyncKind.Incremental,
      completionProvider: { triggerCharacters: [' ', '|', ','] },
      hoverProvider: true,
      definitionProvider: true,
      documentSymbolProvider: true,
      executeCommandProvider: { commands: [RUN_FILE_COMMAND] },
    },
    serverInfo: { name: 'epl-language-server', version: VERSION },
  }));

  documents.onDidChangeContent((e) => {
    lastTouched = e.document.uri;
    schedule(e.document.uri);
  });
  documents.onDidClose((e) => {
    if (lastTouched === e.document.uri) lastTouched = undefined;
    analyses.delete(e.document.uri);
    runs.forget(e.document.uri);
    dirty.delete(e.document.uri);
    void connection.sendDiagnostics({ uri: e.document.uri, diagnostics: [] });
  });

  connection.onCompletion((p) =>
    guarded('completion', [], () => {
      const a = analysisOf(p.textDocument.uri);
      return a ? complete(a, p.position.line, p.position.character) : [];
    }),
  );

  connection.onHover((p) =>
    guarded('hover', null, () => {
      const uri = p.textDocument.uri;
      const a = analysisOf(uri);
      return a ? hover(a, p.position.line, p.position.character, (s) => runs.observations(uri, s.keyword.line, s.keyword.start, s.text)) : null;
    }),
  );

  connection.onDefinition((p) =>
    guarded('definition', null, () => {
      const a = analysisOf(p.textDocument.uri);
      const w = a && definition(a, p.position.line, p.position.character);
      return w ? { uri: p.textDocument.uri, range: { start: { line: w.line, character: w.start }, end: { line: w.line, character: w.end } } } : null;
    }),
  );

  connection.onDocumentSymbol((p) =>
    guarded('symbols', [], () => {
      const a = analysisOf(p.textDocument.uri);
      return a ? documentSymbols(a, documentPath(p.textDocument.uri)) : [];
    }),
  );

  connection.onExecuteCommand(async (p): Promise<RunSummary | null> => {
    if (p.command !== RUN_FILE_COMMAND) return null;
    const arg: unknown = p.arguments?.[0];
    // Editors that cannot pass arguments (Helix's :lsp-workspace-command) run the last document touched.
    const uri = typeof arg === 'string' ? arg : arg && typeof arg === 'object' && 'uri' in arg && typeof arg.uri === 'string' ? arg.uri : lastTouched;
    const doc = uri === undefined ? undefined : documents.get(uri);
    if (!uri || !doc) throw new Error(`${RUN_FILE_COMMAND}: give the uri of an open document`);
    const summary = await runs.run(uri, documentPath(uri), doc.version, doc.getText());
    schedule(uri);
    return summary;
  });

  documents.listen(connection);
  connection.listen();
}

/** A file path for a document's uri (its name titles a file without blocks); other schemes as they are. */
export function documentPath(uri: string): string {
  if (uri.startsWith('file:')) {
    try {
      return fileURLToPath(uri);
    } catch {
      // A malformed file uri: fall through to the uri's last segment.
    }
  }
  return path.basename(uri) || 'untitled.epl';
}

function runDiagnostics(runs: RunCache, uri: string, version: number): Diagnostic[] {
  return runs.failures(uri, version).map((f) => ({
    range: { start: { line: f.line, character: f.start }, end: { line: f.line, character: f.end } },
    severity: DiagnosticSeverity.Warning,
    source: 'epl run',
    message: f.message,
  }));
}
