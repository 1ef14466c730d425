// One shape for every located error (parse, compile, check): `file:line:col: message`,
// the source line, and a caret under the spot. Deep code throws it; only the CLI prints.

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

  constructor(file: string, source: string, at: Located, reason: string) {
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

/** The line `line` (1-based) of `source`, without its newline. */
export function sourceLine(source: string, line: number): string {
  let start = 0;
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

export function formatFrame(file: string, source: string, at: Located, reason: string): string {
  const text = printable(sourceLine(source, at.line));
  // Keep tabs in the caret line so the caret lines up under tab-indented text.
  const pad = text.slice(0, Math.max(0, at.col - 1)).replace(/[^\t]/g, ' ');
  return `${file}:${at.line}:${at.col}: ${reason}\n  ${text}\n  ${pad}^`;
}

/** Line and column (1-based) of a UTF-16 offset in `source`. */
export function locate(source: string, offset: number): Located {
  let line = 1;
  let lineStart = 0;
  for (let i = 0; i < offset && i < source.length; i++) {
    if (source.charCodeAt(i) === 10) {
      line++;
      lineStart = i + 1;
    }
  }
  return { line, col: offset - lineStart + 1 };
}
