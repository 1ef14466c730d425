// One shape for every located error (parse, compile, check): `file:line:col: message`,
// the source line, and a caret under the spot. Deep code throws it; only the CLI prints.

/** Characters of a SourceError's message at most (a token it quotes may be megabytes long). */
const MAX_REASON = 1000;
/** Characters of the offending line quoted at most, around the column. */
const FRAME_WIDTH = 100;
/** Characters kept before the column when the line is cut. */
const FRAME_BEFORE = 60;
const BOM = 0xfeff;

export interface Located {
  readonly line: number;
  readonly col: number;
}

export class SourceError extends Error {
  readonly file: string;
  readonly line: number;
  readonly col: number;
  /** The message alone, without location or frame. */
  readonly reason: string;
  /** `file:line:col: reason`, the quoted line and the caret. */
  readonly frame: string;

  constructor(file: string, source: string, at: Located, why: string) {
    // A message that quotes a token quotes all of it: bounded here, once for every message.
    const reason = why.length > MAX_REASON ? why.slice(0, MAX_REASON - 1) + '…' : why;
    const frame = formatFrame(file, source, at, reason);
    super(frame);
    this.name = 'SourceError';
    this.file = file;
    this.line = at.line;
    this.col = at.col;
    this.reason = reason;
    this.frame = frame;
  }
}

/** The line `line` (1-based) of `source`, without its newline (and without a byte order mark). */
export function sourceLine(source: string, line: number): string {
  let start = line === 1 && source.charCodeAt(0) === BOM ? 1 : 0;
  for (let l = 1; l < line; l++) {
    const nl = source.indexOf('\n', start);
    if (nl < 0) return '';
    start = nl + 1;
  }
  const nl = source.indexOf('\n', start);
  return source.slice(start, nl < 0 ? source.length : nl).replace(/\r$/, '');
}

/** Make a quoted line printable: control and non-ASCII bytes become `?`, tabs stay tabs. */
function printable(text: string): string {
  return text.replace(/[^\t\x20-\x7e]/g, '?');
}

/**
 * `file:line:col: reason`, the line and a caret under the column. A line longer than
 * FRAME_WIDTH is quoted around the column only, with `…` where it was cut.
 */
export function formatFrame(file: string, source: string, at: Located, reason: string): string {
  const line = sourceLine(source, at.line);
  const before = Math.max(0, at.col - 1);
  let from = 0;
  let to = line.length;
  if (line.length > FRAME_WIDTH) {
    from = Math.max(0, Math.min(before - FRAME_BEFORE, line.length - FRAME_WIDTH));
    to = from + FRAME_WIDTH;
  }
  const head = from > 0 ? '…' : '';
  const text = head + printable(line.slice(from, to)) + (to < line.length ? '…' : '');
  // Keep tabs in the caret line so the caret lines up under tab-indented text.
  const pad = (head ? ' ' : '') + printable(line.slice(from, before)).replace(/[^\t]/g, ' ');
  return `${file}:${at.line}:${at.col}: ${reason}\n  ${text}\n  ${pad}^`;
}

/** Line and column (1-based) of a UTF-16 offset in `source`; a leading byte order mark is no column. */
export function locate(source: string, offset: number): Located {
  let line = 1;
  let lineStart = source.charCodeAt(0) === BOM && offset > 0 ? 1 : 0;
  for (let i = 0; i < offset && i < source.length; i++) {
    if (source.charCodeAt(i) === 10) {
      line++;
      lineStart = i + 1;
    }
  }
  return { line, col: offset - lineStart + 1 };
}
