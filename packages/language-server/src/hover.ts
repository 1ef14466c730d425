// Hover: a statement keyword shows its reference entry, a name where it was bound, a flag, a
// shutdown mode or an errno its value; after a run (epl.runFile), the keyword and the
// expectations also show what the step did on the kernel.
import { EPOLL_FLAGS, SHUT, epollFlag, errnoNumber, shutMode } from '@epl/program';
import { MarkupKind } from 'vscode-languageserver-types';
import type { Hover } from 'vscode-languageserver-types';
import { statementAt, wordAt } from './analysis';
import type { Analysis, Statement, Word } from './analysis';
import { referenceEntry, referenceMarkdown } from './reference';
import type { StepObservation } from './run-cache';

/** The hover at a position; `observed` gives the last run's observations of a statement. */
export function hover(a: Analysis, line: number, character: number, observed: (s: Statement) => readonly StepObservation[]): Hover | null {
  const word = wordAt(a, line, character);
  if (!word) return null;
  const statement = statementAt(a, line, character);
  const parts: string[] = [];
  const use = statement?.names.find((n) => n.word === word);
  if (use) {
    parts.push(nameText(a, use.word, use.binding));
  } else if (statement && word === statement.keyword && statement.known) {
    const entry = referenceEntry(word.text);
    if (entry) parts.push(referenceMarkdown(entry));
  } else {
    const value = valueText(word);
    if (value) parts.push(value);
  }
  const inExpectations = statement !== undefined && statement.words.indexOf(word) >= statement.arrowAt;
  if (statement && (word === statement.keyword || (inExpectations && !use))) {
    const seen = observed(statement);
    if (seen.length) parts.push(observationsMarkdown(seen));
  }
  if (parts.length === 0) return null;
  return {
    contents: { kind: MarkupKind.Markdown, value: parts.join('\n\n---\n\n') },
    range: { start: { line: word.line, character: word.start }, end: { line: word.line, character: word.end } },
  };
}

function nameText(a: Analysis, name: Word, binding: Word | undefined): string {
  if (!binding) return `name \`${name.text}\`: not bound before this point`;
  const by = a.statements.find((s) => s.words.includes(binding));
  const where = by ? `\`${by.text}\`` : 'here';
  return binding === name ? `name \`${name.text}\`: bound here` : `name \`${name.text}\`: bound by ${where} (line ${binding.line + 1})`;
}

/** What a flag, shutdown mode or errno word stands for. */
function valueText(word: Word): string | undefined {
  switch (word.type) {
    case 'eflag': {
      const bits = epollFlag(word.text)!;
      const name = Object.keys(EPOLL_FLAGS).find((f) => epollFlag(f) === bits)!;
      return `\`EPOLL${name}\` = 0x${bits.toString(16)}`;
    }
    case 'shut': {
      const how = shutMode(word.text)!;
      const name = Object.keys(SHUT).find((m) => shutMode(m) === how)!;
      return `\`SHUT_${name}\` = ${how}`;
    }
    case 'errno':
      return `\`${word.text.toUpperCase()}\` = ${errnoNumber(word.text)!} (errno)`;
  }
  return undefined;
}

/** The last run's observations: one line per distinct outcome, with the scenarios that saw it. */
function observationsMarkdown(seen: readonly StepObservation[]): string {
  const groups = new Map<string, StepObservation[]>();
  for (const o of seen) {
    const key = `${o.call} = ${o.ret}\n=> ${o.got}${o.wire !== undefined ? `  ~> ${o.wire}` : ''}`;
    groups.set(key, [...(groups.get(key) ?? []), o]);
  }
  const out = ['**Last run**'];
  for (const [text, list] of groups) {
    const failed = list.some((o) => !o.pass);
    const who = list.length === 1 ? `scenario "${list[0].scenario}"` : `${list.length} scenarios`;
    out.push(`${who}${failed ? ' (expectation failed)' : ''}:\n\`\`\`\n${text}\n\`\`\``);
  }
  return out.join('\n\n');
}
