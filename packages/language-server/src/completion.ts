// Completion: what may come next at the cursor, read from the tokens of the statement being
// typed (the text between the last `;`, `{` or `}` and the cursor) and the names in scope.
import { tokenize } from '@epl/dsl';
import { EPOLL_FLAGS, ERRNO, SHUT } from '@epl/program';
import { CompletionItemKind, InsertTextFormat, MarkupKind } from 'vscode-languageserver-types';
import type { CompletionItem } from 'vscode-languageserver-types';
import { blockAt, namesInScope } from './analysis';
import type { Analysis, Word } from './analysis';
import { referenceEntry, referenceMarkdown } from './reference';
import { EPOLL_FLAG_WORDS, ERRNO_WORDS, SHUT_WORDS, STATEMENT_KEYWORDS, isNameType, isStatementType, nameRoles } from './words';

/** tcpdump flag words a segment usually carries (`parseTcpFlags` accepts any set of S F R P U E W and `.`). */
const TCP_FLAG_WORDS = ['S', 'S.', '.', 'P.', 'F.', 'FP.', 'R', 'R.'];

/** Completion items at a position (0-based line and UTF-16 character). */
export function complete(a: Analysis, line: number, character: number): CompletionItem[] {
  const text = a.lines[line];
  if (text === undefined) return [];
  const prefix = text.slice(0, Math.min(character, text.length));
  if (insideStringOrComment(prefix)) return [];
  // The word being typed is the client's to filter by: the context is what comes before it.
  const typed = /[A-Za-z0-9_]*$/.exec(prefix)![0];
  const words = statementWords(prefix.slice(0, prefix.length - typed.length));
  if (words === undefined) return [];
  const names = () => nameItems(a, line, character);
  if (words.length === 0) {
    const items = STATEMENT_KEYWORDS.map(keywordItem);
    if (blockAt(a, line, character) < 0) items.push(scenarioItem());
    return items;
  }
  const keyword = words[0];
  if (!isStatementType(keyword.type)) return [];
  const arrow = lastIndex(words, (w) => w.type === 'res' || w.type === 'wire');
  if (arrow >= 0) return words[arrow].type === 'res' ? afterResult(words.slice(arrow + 1), keyword, names) : afterWire(words.slice(arrow + 1), names);
  return afterOperands(words.slice(1), keyword.text.toLowerCase(), names);
}

/** After `=>`: a result word, or for `wait` a ready list `NAME: FLAGS, …`. */
function afterResult(after: readonly Word[], keyword: Word, names: () => CompletionItem[]): CompletionItem[] {
  const isWait = keyword.type === 'kw_wait';
  const last = after[after.length - 1];
  if (after.length === 0) return [...resultWordItems(), ...(isWait ? names() : [])];
  if (!isWait) return [];
  if (last.type === 'colon' || last.type === 'pipe') return flagItems();
  if (last.type === 'comma') return names();
  return [];
}

/** After `~>`: `none`, or segments `A > B FLAGS [len N], …`. */
function afterWire(after: readonly Word[], names: () => CompletionItem[]): CompletionItem[] {
  const last = after[after.length - 1];
  if (after.length === 0) return [wordItem('none', CompletionItemKind.Keyword, 'no segment'), ...names()];
  if (last.type === 'comma' || last.type === 'gt') return names();
  const beforeLast = after[after.length - 2];
  if (isNameType(last.type) && beforeLast?.type === 'gt') return TCP_FLAG_WORDS.map((f) => wordItem(f, CompletionItemKind.EnumMember, 'tcpdump flags'));
  if ((last.type === 'tcpdot' || last.type === 'ident') && after[after.length - 3]?.type === 'gt')
    return [wordItem('len', CompletionItemKind.Keyword, 'payload bytes')];
  return [];
}

/** In the operands: a name where the statement takes one, else its flags, modes or options. */
function afterOperands(operands: readonly Word[], keyword: string, names: () => CompletionItem[]): CompletionItem[] {
  const roles = nameRoles(keyword);
  let given = 0;
  let i = 0;
  for (; i < operands.length && given < roles.length; i++) {
    if (operands[i].type === 'arrow') continue;
    if (!isNameType(operands[i].type)) break;
    given++;
  }
  const rest = operands.slice(i);
  const last = operands[operands.length - 1];
  if (given < roles.length && rest.length === 0) {
    // `accept L -> B`, `dup A -> B`: the `->` comes before the second name.
    if ((keyword === 'accept' || keyword === 'dup' || keyword === 'dup2') && given === 1 && last?.type !== 'arrow') return [];
    if (keyword === 'wait') return [...names(), ...optionItems(['max', 'timeout'])];
    // A new name is the writer's to choose: only the names a statement uses are offered.
    return roles[given] === 'bind' ? [] : names();
  }
  switch (keyword) {
    case 'add':
    case 'mod':
      if (rest.length === 0 || last.type === 'pipe') return flagItems();
      if (last.type === 'kw_data') return names();
      return rest.some((w) => w.type === 'kw_data') ? [] : optionItems(['data']);
    case 'shutdown':
      return rest.length === 0 ? SHUT_WORDS.map((m) => wordItem(m, CompletionItemKind.EnumMember, `SHUT_${m} = ${SHUT[m as keyof typeof SHUT]}`)) : [];
    case 'wait':
      if (last && (last.type === 'kw_max' || last.type === 'kw_timeout')) return [];
      return optionItems(['max', 'timeout'].filter((o) => !rest.some((w) => w.type === 'kw_' + o)));
    case 'send':
      return rest.length === 1 && rest[0].type === 'string' ? optionItems(['oob']) : [];
  }
  return [];
}

/** The words of the statement the text ends in, or undefined when they cannot be read. */
function statementWords(before: string): Word[] | undefined {
  let tokens;
  try {
    tokens = tokenize(before);
  } catch {
    // A lexical error earlier on the line (a bad number, a stray character): no context to read.
    return undefined;
  }
  const start = lastIndex(tokens, (t) => t.type === 'semi' || t.type === 'lbrace' || t.type === 'rbrace') + 1;
  return tokens.slice(start).map((t) => ({ text: t.text, type: t.type, line: 0, start: t.offset, end: t.offset + t.text.length }));
}

/** True when the end of the line's prefix is inside a string or a comment. */
function insideStringOrComment(prefix: string): boolean {
  let inString = false;
  for (let i = 0; i < prefix.length; i++) {
    const c = prefix[i];
    if (inString) {
      if (c === '\\') i++;
      else if (c === '"') inString = false;
    } else if (c === '"') {
      inString = true;
    } else if (c === '#') {
      return true;
    }
  }
  return inString;
}

function lastIndex<T>(list: readonly T[], test: (x: T) => boolean): number {
  for (let i = list.length - 1; i >= 0; i--) if (test(list[i])) return i;
  return -1;
}

function keywordItem(keyword: string): CompletionItem {
  const entry = referenceEntry(keyword);
  return {
    label: keyword,
    kind: CompletionItemKind.Keyword,
    detail: entry?.syntax.join(', '),
    documentation: entry ? { kind: MarkupKind.Markdown, value: referenceMarkdown(entry) } : undefined,
  };
}

function scenarioItem(): CompletionItem {
  return {
    label: 'scenario',
    kind: CompletionItemKind.Snippet,
    detail: 'scenario "title" { … }',
    insertText: 'scenario "${1:title}" {\n  $0\n}',
    insertTextFormat: InsertTextFormat.Snippet,
  };
}

function wordItem(label: string, kind: CompletionItemKind, detail: string): CompletionItem {
  return { label, kind, detail };
}

function optionItems(words: readonly string[]): CompletionItem[] {
  return words.map((w) => wordItem(w, CompletionItemKind.Keyword, 'option'));
}

function flagItems(): CompletionItem[] {
  return EPOLL_FLAG_WORDS.map((f) =>
    wordItem(f, CompletionItemKind.EnumMember, `EPOLL${f} = 0x${(EPOLL_FLAGS[f as keyof typeof EPOLL_FLAGS] >>> 0).toString(16)}`),
  );
}

function resultWordItems(): CompletionItem[] {
  return [
    wordItem('ok', CompletionItemKind.Keyword, 'returned 0 (a creating statement: succeeded)'),
    wordItem('none', CompletionItemKind.Keyword, 'wait: nothing ready'),
    ...ERRNO_WORDS.map((e) => wordItem(e, CompletionItemKind.Constant, `errno ${ERRNO[e]}`)),
  ];
}

/** The names bound before the position in its scope, numbers first in numeric order (as the compiler lists them). */
function nameItems(a: Analysis, line: number, character: number): CompletionItem[] {
  const scope = namesInScope(a, line, character);
  const sorted = [...scope.keys()].sort((x, y) => {
    const nx = /^[0-9]+$/.test(x);
    const ny = /^[0-9]+$/.test(y);
    if (nx !== ny) return nx ? -1 : 1;
    return nx ? Number(x) - Number(y) : x < y ? -1 : x > y ? 1 : 0;
  });
  return sorted.map((name, i) => {
    const { binding, open } = scope.get(name)!;
    return {
      label: name,
      kind: CompletionItemKind.Variable,
      detail: `${open ? 'bound' : 'bound, then closed'} (line ${binding.line + 1})`,
      sortText: String(i).padStart(4, '0'),
    };
  });
}
