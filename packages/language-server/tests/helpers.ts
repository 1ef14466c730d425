// Shared by the tests: a text with a cursor marked `@` (a character EPL never uses).
import * as fs from 'node:fs';
import * as path from 'node:path';

export const FOUNDING = path.join(__dirname, '..', '..', '..', 'scenarios', 'founding', 'founding.epl');
export const foundingText = (): string => fs.readFileSync(FOUNDING, 'utf8');

/** The text without its `@`, and the 0-based line and character where it was. */
export function cursor(marked: string): { text: string; line: number; character: number } {
  const at = marked.indexOf('@');
  if (at < 0 || marked.indexOf('@', at + 1) >= 0) throw new Error('mark exactly one @');
  const before = marked.slice(0, at);
  const line = before.split('\n').length - 1;
  return { text: before + marked.slice(at + 1), line, character: at - (before.lastIndexOf('\n') + 1) };
}

/** The 0-based position of the `n`th (0-based) occurrence of `needle` on the line containing `lineText`. */
export function find(text: string, lineText: string, needle: string, n = 0): { line: number; character: number } {
  const lines = text.split('\n');
  const line = lines.findIndex((l) => l.includes(lineText));
  if (line < 0) throw new Error(`no line with ${lineText}`);
  let character = -1;
  for (let i = 0; i <= n; i++) character = lines[line].indexOf(needle, character + 1);
  if (character < 0) throw new Error(`no ${needle} on ${lineText}`);
  return { line, character };
}
