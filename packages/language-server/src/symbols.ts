// Document symbols: the setup and each scenario, with the names each binds as children. A file
// without blocks is one scenario, titled after the file as the compiler titles it.
import * as path from 'node:path';
import { SymbolKind } from 'vscode-languageserver-types';
import type { DocumentSymbol, Range } from 'vscode-languageserver-types';
import type { Analysis, Statement, Word } from './analysis';

export function documentSymbols(a: Analysis, fileName: string): DocumentSymbol[] {
  const inBlock = (b: number) => a.statements.filter((s) => s.block === b);
  if (a.blocks.length === 0) {
    const all = a.statements;
    if (all.length === 0) return [];
    const title = path.basename(fileName).replace(/\.[^.]*$/, '');
    return [symbol(title, SymbolKind.Function, span(all[0].keyword, lastWord(all[all.length - 1])), rangeOf(all[0].keyword), all)];
  }
  const out: DocumentSymbol[] = [];
  const first = a.blocks[0].keyword;
  const setup = inBlock(-1).filter((s) => s.keyword.line < first.line || (s.keyword.line === first.line && s.keyword.start < first.start));
  if (setup.length)
    out.push(symbol('setup', SymbolKind.Namespace, span(setup[0].keyword, lastWord(setup[setup.length - 1])), rangeOf(setup[0].keyword), setup));
  a.blocks.forEach((b, i) => {
    const body = inBlock(i);
    const end = b.close ?? (body.length ? lastWord(body[body.length - 1]) : (b.titleWord ?? b.keyword));
    out.push(symbol(b.title || '(untitled)', SymbolKind.Function, span(b.keyword, end), rangeOf(b.titleWord ?? b.keyword), body));
  });
  return out;
}

/** A scope's symbol; its children are the names its statements bind, at the statement that binds them. */
function symbol(name: string, kind: SymbolKind, range: Range, selectionRange: Range, statements: readonly Statement[]): DocumentSymbol {
  const children: DocumentSymbol[] = [];
  for (const s of statements) {
    for (const n of s.names) {
      if (n.role !== 'bind' && n.role !== 'rebind') continue;
      children.push({ name: n.word.text, detail: s.text, kind: SymbolKind.Variable, range: span(s.keyword, lastWord(s)), selectionRange: rangeOf(n.word) });
    }
  }
  return { name, kind, range, selectionRange, children };
}

function lastWord(s: Statement): Word {
  return s.words[s.words.length - 1];
}

function rangeOf(w: Word): Range {
  return span(w, w);
}

function span(from: Word, to: Word): Range {
  return { start: { line: from.line, character: from.start }, end: { line: to.line, character: to.end } };
}
