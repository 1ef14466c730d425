// Diagnostics: the compiler's verdict on the whole text. `compile` stops at the first located
// error (a SourceError with line, col and reason); it becomes one diagnostic over the token
// the error points at.
import { compile } from '@epl/compiler';
import { SourceError, sourceLine } from '@epl/program';
import { DiagnosticSeverity } from 'vscode-languageserver-types';
import type { Diagnostic, Range } from 'vscode-languageserver-types';

/** What the token starting at a column looks like: a string, an escape, an arrow, a word or number, one character. */
const TOKEN = /"(?:\\.|[^"\\])*"?|\\(?:x[0-9a-fA-F]{1,2}|[0-7]{1,3}|.)|[=~-]>|-?[A-Za-z0-9_.]+|\S/y;

/** The compiler's error in `source`, as diagnostics (none when it compiles). `file` names it in messages. */
export function diagnose(source: string, file: string): Diagnostic[] {
  try {
    compile(source, file);
    return [];
  } catch (e) {
    if (e instanceof SourceError) return [{ range: tokenRange(source, e.line, e.col), severity: DiagnosticSeverity.Error, source: 'epl', message: e.reason }];
    // Not a located error: a bug of the compiler. Say so where it will be seen, and carry on.
    const message = e instanceof Error ? e.message : String(e);
    return [{ range: tokenRange(source, 1, 1), severity: DiagnosticSeverity.Error, source: 'epl', message: `internal error: ${message}` }];
  }
}

/** The range of the token at 1-based `line`:`col` (empty at the end of a line). */
export function tokenRange(source: string, line: number, col: number): Range {
  const text = sourceLine(source, line);
  const start = Math.min(Math.max(0, col - 1), text.length);
  TOKEN.lastIndex = start;
  const m = TOKEN.exec(text);
  const end = m ? start + m[0].length : start;
  return { start: { line: line - 1, character: start }, end: { line: line - 1, character: end } };
}
