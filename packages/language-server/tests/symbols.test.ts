import { SymbolKind } from 'vscode-languageserver-types';
import { analyze } from '../src/analysis';
import { documentSymbols } from '../src/symbols';
import { foundingText } from './helpers';

describe('documentSymbols', () => {
  it('lists the setup and each scenario of the founding file, with the names each binds', () => {
    const symbols = documentSymbols(analyze(foundingText()), '/x/founding.epl');
    expect(symbols.map((s) => [s.name.slice(0, 30), s.kind])).toEqual([
      ['setup', SymbolKind.Namespace],
      ['1. shutdown(5, SHUT_RD) is loc', SymbolKind.Function],
      ['2. shutdown(5, SHUT_WR) sends ', SymbolKind.Function],
      ["3. dup: a closed fd's registra", SymbolKind.Function],
      ['4. shutdown(7, SHUT_RD) on a d', SymbolKind.Function],
      ['5. shutdown(7, SHUT_WR) on a d', SymbolKind.Function],
    ]);
    expect(symbols[0].children!.map((c) => [c.name, c.detail])).toEqual([
      ['5', 'tcp 5 6'],
      ['6', 'tcp 5 6'],
      ['3', 'epoll 3'],
    ]);
    expect(symbols[3].children!.map((c) => c.name)).toEqual(['7']);
    const block1 = symbols[1];
    expect(block1.range.start).toEqual({ line: 17, character: 0 });
    expect(block1.range.end).toEqual({ line: 28, character: 1 });
    expect(block1.selectionRange.start).toEqual({ line: 17, character: 9 });
  });

  it('makes a file without blocks one scenario titled after the file', () => {
    const symbols = documentSymbols(analyze('# note\npipe r w\nclose r'), '/tmp/half-close.epl');
    expect(symbols).toHaveLength(1);
    expect(symbols[0].name).toBe('half-close');
    expect(symbols[0].range).toEqual({ start: { line: 1, character: 0 }, end: { line: 2, character: 7 } });
    expect(documentSymbols(analyze('# only a comment\n'), 'x.epl')).toEqual([]);
  });

  it('keeps every selection range inside its range, for unfinished blocks too', () => {
    const symbols = documentSymbols(analyze('tcp 5 6\nscenario "open" {\n  close 5\nscenario\n'), 'x.epl');
    expect(symbols.map((s) => s.name)).toEqual(['setup', 'open', '(untitled)']);
    for (const s of symbols) {
      const inside = (p: { line: number; character: number }) =>
        (p.line > s.range.start.line || (p.line === s.range.start.line && p.character >= s.range.start.character)) &&
        (p.line < s.range.end.line || (p.line === s.range.end.line && p.character <= s.range.end.character));
      expect(inside(s.selectionRange.start) && inside(s.selectionRange.end)).toBe(true);
    }
  });
});
