// The lexer pass: moo's tokens without spaces and comments, each checked and decoded on the way
// (a string's escapes, a number's value), so that the grammar sees only well-formed words and
// lexical errors come out in source order, located. Strings are scanned here rather than by moo:
// any length gives a token or a located error.
import { LIMITS } from '@epl/program';
import { lexer as mooLexer } from './generated/epl';
import { Fault, type Tok } from './token';

/** Token types that end a statement. */
export const SEPARATORS: ReadonlySet<string> = new Set(['nl', 'semi']);

/** moo 0.5's position fields (pinned version): read and advanced to skip blanks without a token each. */
interface MooPosition {
  index: number;
  line: number;
  col: number;
}

/** A string's decoded bytes are at least a quarter of its characters (`\x00` is one byte). */
const MAX_STRING_CHARS = 4 * LIMITS.maxStringBytes;
/** A run of a string's plain characters: a loop over one class, which V8 runs without a backtracking stack. */
const PLAIN = /[^"\\\n]*/y;

function tokenValue(this: Tok): string {
  return this.value;
}

/** Streams the checked tokens of one source text, separators included. */
export class Lexer {
  // A clone per source: moo lexers are stateful, and compiling one is the slow part.
  private readonly moo = (mooLexer as typeof mooLexer & { clone(): typeof mooLexer }).clone();
  private readonly pos = this.moo as unknown as MooPosition;

  constructor(private readonly source: string) {
    this.moo.reset(source);
    // A byte order mark is not text: skipped, and the first column is the character after it.
    if (source.charCodeAt(0) === 0xfeff) this.pos.index = 1;
  }

  /** The next token, or undefined at the end. Throws a Fault for a lexical error. */
  next(): Tok | undefined {
    for (;;) {
      // Spaces and tabs between tokens are most of a file's tokens: step over them here rather
      // than have moo build a token for each (moo's line/col stay right: no newline is skipped).
      const from = this.pos.index;
      let i = from;
      for (let c = this.source.charCodeAt(i); c === 32 || c === 9; c = this.source.charCodeAt(++i));
      if (i !== from) {
        this.pos.index = i;
        this.pos.col += i - from;
      }
      const t = this.source.charCodeAt(i) === 34 ? this.string(i) : (this.moo.next() as Tok | undefined);
      if (t === undefined) return undefined;
      let num: number | undefined;
      let bytes: Uint8Array | undefined;
      switch (t.type) {
        case 'ws':
        case 'comment':
          continue;
        case 'string':
          bytes = decodeString(t.text, t.offset);
          if (bytes.length > LIMITS.maxStringBytes) throw tooLong(t.offset);
          break;
        case 'int':
        case 'hex':
          num = checkedNumber(Number(t.text), t);
          break;
        case 'neg':
          num = checkedNumber(-Number(t.text.slice(1)), t);
          break;
        case 'badnum':
          throw new Fault(t.offset, `bad number '${t.text}' (a name is all digits or starts with a letter)`);
        case 'error':
          throw new Fault(t.offset, `unexpected character ${showChar(t.text)}`);
      }
      // Both fields on every token, in this order: one object shape keeps the grammar's actions fast.
      t.num = num;
      t.bytes = bytes;
      return t;
    }
  }

  /** The string token whose opening quote is at `start`, in moo's token shape; moo's position moves past it. */
  private string(start: number): Tok {
    const src = this.source;
    let i = start + 1;
    // A string is one line: a backslash takes the next character unless that ends the line.
    for (;;) {
      PLAIN.lastIndex = i;
      PLAIN.test(src);
      i = PLAIN.lastIndex;
      const c = src.charCodeAt(i);
      if (c === 34) break;
      if (c !== 92 || i + 1 >= src.length || src.charCodeAt(i + 1) === 10) throw new Fault(start, 'unterminated string');
      i += 2;
    }
    const end = i + 1;
    if (end - start - 2 > MAX_STRING_CHARS) throw tooLong(start);
    const text = src.slice(start, end);
    const t: Tok = { type: 'string', value: text, text, toString: tokenValue, offset: start, lineBreaks: 0, line: this.pos.line, col: this.pos.col };
    this.pos.index = end;
    this.pos.col += end - start;
    return t;
  }
}

function tooLong(offset: number): Fault {
  return new Fault(offset, `string longer than ${LIMITS.maxStringBytes} bytes (LIMITS.maxStringBytes)`);
}

/** Every checked token of a source text, separators included (for tests and the whole-file parse). */
export function tokenize(source: string): Tok[] {
  const lx = new Lexer(source);
  const out: Tok[] = [];
  for (let t = lx.next(); t !== undefined; t = lx.next()) out.push(t);
  return out;
}

function checkedNumber(value: number, t: Tok): number {
  if (!Number.isSafeInteger(value)) throw new Fault(t.offset, `number '${t.text}' is too large`);
  return value;
}

/** `'x'` for a printable ASCII character, `'\x01'` for a control byte, `U+00E9` beyond ASCII. */
export function showChar(text: string): string {
  const c = text.codePointAt(0) ?? 0;
  if (c >= 0x20 && c < 0x7f) return `'${String.fromCharCode(c)}'`;
  if (c < 0x80) return `'\\x${c.toString(16).padStart(2, '0')}'`;
  return `U+${c.toString(16).toUpperCase().padStart(4, '0')}`;
}

const SIMPLE_ESCAPES: Readonly<Record<string, number>> = {
  n: 10,
  t: 9,
  r: 13,
  '\\': 92,
  '"': 34,
  "'": 39,
  '?': 63,
  a: 7,
  b: 8,
  f: 12,
  v: 11,
};
const encoder = new TextEncoder();
// eslint-disable-next-line no-control-regex -- the ASCII range starts at NUL on purpose
const ASCII = /^[\x00-\x7f]*$/;

/**
 * The bytes of a string token (quotes included in `text`): C escapes, and UTF-8 for every
 * character beyond ASCII. `\x` takes one or two hex digits (C would take them all, which
 * makes "\x00abc" mean something else than it reads); octal takes one to three digits.
 * The result may be a view into a shared buffer: copy it (as the compiler does) to keep it apart.
 */
export function decodeString(text: string, offset: number): Uint8Array {
  const inner = text.slice(1, -1);
  if (!inner.includes('\\')) {
    if (!ASCII.test(inner)) return encoder.encode(inner);
    // Most strings: a view into Buffer's shared pool, one small object instead of a typed array
    // with a buffer of its own (a long file has tens of thousands of strings).
    const b = Buffer.from(inner, 'latin1');
    return new Uint8Array(b.buffer, b.byteOffset, b.length);
  }
  const out: number[] = [];
  let i = 0;
  while (i < inner.length) {
    const j = inner.indexOf('\\', i);
    const plain = j < 0 ? inner.slice(i) : inner.slice(i, j);
    if (plain) for (const b of encoder.encode(plain)) out.push(b);
    if (j < 0) break;
    const at = offset + 1 + j; // the backslash, in the source
    const c = inner[j + 1];
    if (c in SIMPLE_ESCAPES) {
      out.push(SIMPLE_ESCAPES[c]);
      i = j + 2;
    } else if (c === 'x') {
      const m = /^[0-9a-fA-F]{1,2}/.exec(inner.slice(j + 2, j + 4));
      if (!m) throw new Fault(at, "'\\x' needs one or two hex digits");
      out.push(parseInt(m[0], 16));
      i = j + 2 + m[0].length;
    } else if (c >= '0' && c <= '7') {
      const m = /^[0-7]{1,3}/.exec(inner.slice(j + 1, j + 4))!;
      const v = parseInt(m[0], 8);
      if (v > 255) throw new Fault(at, `octal escape '\\${m[0]}' is over 255`);
      out.push(v);
      i = j + 1 + m[0].length;
    } else {
      const shown = /[\x20-\x7e]/.test(c) ? `'\\${c}'` : `'\\' before ${showChar(inner.slice(j + 1))}`;
      throw new Fault(at, `unknown escape ${shown} in string`);
    }
  }
  return Uint8Array.from(out);
}
