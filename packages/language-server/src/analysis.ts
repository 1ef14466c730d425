// A tolerant reading of a document for the editor features: its statements, its blocks and
// where each name is bound. It works from the dsl's own tokens, line by line, so that
// half-typed text (the usual state of a document being edited) still yields everything around
// the mistake; the compiler's verdict on the text is the diagnostics' business, not this one's.
import { decodeString, tokenize } from '@epl/dsl';
import { isNameType, isStatementType, nameRoles } from './words';
import type { NameRole } from './words';

/** One token: its lexer type (`kw_dup`, `ident`, `int`, `res`, …) and where it is (0-based line, UTF-16 columns). */
export interface Word {
  readonly text: string;
  readonly type: string;
  readonly line: number;
  readonly start: number;
  readonly end: number;
}

/** What a name does where it is written. Operand roles are resolved (`connect`'s first name is a bind or a use). */
export type NameUseRole = 'bind' | 'rebind' | 'use' | 'data' | 'ready' | 'wire';

export interface NameUse {
  readonly word: Word;
  readonly role: NameUseRole;
  /**
   * The word that bound this name most recently before it, in the setup and the current block:
   * the word itself for a bind, the previous binding for a dup2 target; undefined when unbound.
   */
  readonly binding?: Word;
}

export interface Statement {
  /** The first word: a statement keyword, or whatever was typed there. */
  readonly keyword: Word;
  /** True when the first word is a statement keyword. */
  readonly known: boolean;
  /** Every word of the statement, keyword first, expectations included. */
  readonly words: readonly Word[];
  /** Index in `words` of the first `=>` or `~>` (words.length when there is none). */
  readonly arrowAt: number;
  /** The statement as the compiler's step spans cut it: keyword to last operand. */
  readonly text: string;
  readonly names: readonly NameUse[];
  /** Index of the enclosing block, -1 at the top level (the setup). */
  readonly block: number;
}

export interface Block {
  /** The title, decoded (or as written when it cannot be decoded). */
  readonly title: string;
  readonly keyword: Word;
  readonly titleWord?: Word;
  /** The `}`; absent while the block is unterminated. */
  readonly close?: Word;
}

export interface Analysis {
  readonly lines: readonly string[];
  /** Statements in source order. */
  readonly statements: readonly Statement[];
  readonly blocks: readonly Block[];
  /** Each line's words (comments and spaces left out). */
  readonly words: readonly (readonly Word[])[];
}

interface Binding {
  word: Word;
  open: boolean;
}
type Scope = Map<string, Binding>;

/** Reads a document's text. Never throws on any text. */
export function analyze(text: string): Analysis {
  const lines = text.split('\n');
  const words = lines.map((line, i) => lineWords(line, i));
  const statements: Draft[] = [];
  const blocks: Block[] = [];
  // Mutable while reading: the open block and its close, filled in when the `}` comes.
  let block = -1;
  const closes: (Word | undefined)[] = [];
  let pending: Word[] = [];
  const flush = () => {
    if (pending.length === 0) return;
    const first = pending[0];
    if (first.type === 'kw_scenario') {
      // `scenario "title"` without its `{` yet: a block being typed.
      block = openBlock(blocks, closes, pending);
    } else {
      statements.push(statementOf(pending, block, lines[first.line]));
    }
    pending = [];
  };
  for (const lineWordList of words) {
    for (const w of lineWordList) {
      if (w.type === 'semi') {
        flush();
      } else if (w.type === 'lbrace' && pending[0]?.type === 'kw_scenario') {
        block = openBlock(blocks, closes, pending);
        pending = [];
      } else if (w.type === 'rbrace') {
        flush();
        if (block >= 0) closes[block] = w;
        block = -1;
      } else {
        pending.push(w);
      }
    }
    flush();
  }
  const closed = blocks.map((b, i) => (closes[i] ? { ...b, close: closes[i] } : b));
  return { lines, statements: resolve(statements), blocks: closed, words };
}

function openBlock(blocks: Block[], closes: (Word | undefined)[], opener: readonly Word[]): number {
  const titleWord = opener[1]?.type === 'string' ? opener[1] : undefined;
  blocks.push({ title: titleWord ? decodeTitle(titleWord) : '', keyword: opener[0], titleWord });
  closes.push(undefined);
  return blocks.length - 1;
}

function decodeTitle(w: Word): string {
  try {
    return Buffer.from(decodeString(w.text, 0)).toString('utf8');
  } catch {
    return w.text.slice(1, -1);
  }
}

/** The checked tokens of one line; after a lexical error, the tokens before it. */
function lineWords(line: string, lineNo: number): Word[] {
  const toWords = (text: string) => tokenize(text).map((t) => ({ text: t.text, type: t.type, line: lineNo, start: t.offset, end: t.offset + t.text.length }));
  try {
    return toWords(line);
  } catch (e) {
    const at = faultOffset(e);
    if (at === undefined || at <= 0) return [];
    try {
      return toWords(line.slice(0, at));
    } catch {
      return [];
    }
  }
}

/** The offset of the dsl lexer's located fault, if `e` is one. */
export function faultOffset(e: unknown): number | undefined {
  if (e instanceof Error && 'offset' in e && typeof e.offset === 'number') return e.offset;
  return undefined;
}

/** A statement's words split into operands and expectations, with the role of every name. */
function statementOf(words: readonly Word[], block: number, line: string): Draft {
  const keyword = words[0];
  const known = isStatementType(keyword.type);
  let arrowAt = words.findIndex((w) => w.type === 'res' || w.type === 'wire');
  if (arrowAt < 0) arrowAt = words.length;
  const names: MutableUse[] = [];
  const roles: readonly NameRole[] = known ? nameRoles(keyword.text) : [];
  let next = 0;
  for (let i = 1; i < arrowAt; i++) {
    const w = words[i];
    if (w.type === 'arrow') continue;
    if (next < roles.length && isNameType(w.type)) {
      names.push({ word: w, role: roles[next++] });
      continue;
    }
    next = roles.length;
    if (w.type === 'kw_data' && i + 1 < arrowAt && isNameType(words[i + 1].type)) names.push({ word: words[++i], role: 'data' });
  }
  // Expectations: ready-list names come before a `:`, wire endpoints on either side of a `>`.
  let region = '';
  for (let i = arrowAt; i < words.length; i++) {
    const w = words[i];
    if (w.type === 'res' || w.type === 'wire') region = w.type;
    else if (!isNameType(w.type)) continue;
    else if (region === 'res' && words[i + 1]?.type === 'colon') names.push({ word: w, role: 'ready' });
    else if (region === 'wire' && (words[i + 1]?.type === 'gt' || words[i - 1]?.type === 'gt')) names.push({ word: w, role: 'wire' });
  }
  const last = words[Math.max(0, arrowAt - 1)];
  return { keyword, known, words, arrowAt, text: line.slice(keyword.start, last.end), names, block };
}

/** A name before resolution: `connect`'s first name is still `bind-or-use`. */
interface MutableUse {
  word: Word;
  role: NameRole | NameUseRole;
}

/** A statement as read, before its names are resolved. */
interface Draft extends Omit<Statement, 'names'> {
  readonly names: readonly MutableUse[];
}

/**
 * Resolves every name: the setup's statements in order, and each block from the setup's state
 * (a block runs from a fresh setup). `close` leaves the binding in place: a closed name can
 * still be used (it stands for its old number) and bound again.
 */
function resolve(statements: readonly Draft[]): Statement[] {
  const setup: Scope = new Map();
  const blockScopes = new Map<number, Scope>();
  return statements.map((s) => {
    let scope = setup;
    if (s.block >= 0) {
      let b = blockScopes.get(s.block);
      if (!b) {
        b = copyScope(setup);
        blockScopes.set(s.block, b);
      }
      scope = b;
    }
    return { ...s, names: s.names.map((n) => resolveUse(n, scope, s)) };
  });
}

function resolveUse(n: MutableUse, scope: Scope, s: Draft): NameUse {
  const text = n.word.text;
  const current = scope.get(text);
  let role = n.role;
  if (role === 'bind-or-use') role = current?.open ? 'use' : 'bind';
  let binding = current?.word;
  if (role === 'bind') binding = n.word;
  if (role === 'bind' || role === 'rebind') scope.set(text, { word: n.word, open: true });
  else if (s.keyword.type === 'kw_close' && role === 'use' && current) current.open = false;
  return binding ? { word: n.word, role, binding } : { word: n.word, role };
}

function copyScope(scope: Scope): Scope {
  return new Map([...scope].map(([name, b]) => [name, { ...b }]));
}

/** The index of the block a position lies in, or -1 (the setup, or after every block). */
export function blockAt(a: Analysis, line: number, character: number): number {
  for (let i = a.blocks.length - 1; i >= 0; i--) {
    const b = a.blocks[i];
    if (before(line, character, b.keyword.line, b.keyword.end)) continue;
    if (!b.close || before(line, character, b.close.line, b.close.end)) return i;
    return -1;
  }
  return -1;
}

/** The statement whose words cover the position (its last word's end included), if any. */
export function statementAt(a: Analysis, line: number, character: number): Statement | undefined {
  return a.statements.find((s) => s.keyword.line === line && s.keyword.start <= character && character <= s.words[s.words.length - 1].end);
}

/** The word under the position (a word's end counts: the cursor right after it is on it). */
export function wordAt(a: Analysis, line: number, character: number): Word | undefined {
  return a.words[line]?.find((w) => w.start <= character && character <= w.end);
}

/**
 * Names bound before a position in its scope (the setup's statements and the current block's),
 * each with its latest binding and whether a later `close` closed it.
 */
export function namesInScope(a: Analysis, line: number, character: number): Map<string, { binding: Word; open: boolean }> {
  const block = blockAt(a, line, character);
  const scope: Scope = new Map();
  for (const s of a.statements) {
    if (s.block !== -1 && s.block !== block) continue;
    if (block >= 0 && s.block === -1 && !before(s.keyword.line, s.keyword.start, a.blocks[block].keyword.line, a.blocks[block].keyword.start)) continue;
    for (const n of s.names) {
      if (!before(n.word.line, n.word.end, line, character + 1)) continue;
      if (n.role === 'bind' || n.role === 'rebind') scope.set(n.word.text, { word: n.word, open: true });
      else if (s.keyword.type === 'kw_close' && n.role === 'use') {
        const b = scope.get(n.word.text);
        if (b) b.open = false;
      }
    }
  }
  return new Map([...scope].map(([name, b]) => [name, { binding: b.word, open: b.open }]));
}

/** (l1, c1) comes strictly before (l2, c2). */
function before(l1: number, c1: number, l2: number, c2: number): boolean {
  return l1 < l2 || (l1 === l2 && c1 < c2);
}
