import { SourceError, formatFrame, locate, sourceLine } from '../src/source-error';

/** The quoted line and the caret line of a frame, and the column the caret is at (1-based, in the quote). */
function quote(frame: string): { text: string; caretAt: number } {
  const [, text, caret] = frame.split('\n');
  return { text: text.slice(2), caretAt: caret.length - 2 };
}

describe('formatFrame', () => {
  it('quotes a short line whole, the caret under the column', () => {
    expect(formatFrame('f.epl', 'tcp 5 6\n\tshutdown 8 RD\n', { line: 2, col: 11 }, 'x')).toBe('f.epl:2:11: x\n  \tshutdown 8 RD\n  \t         ^');
  });

  it('quotes a window of a long line around the column, with … where it was cut', () => {
    const line = 'write w "' + 'a'.repeat(5_000_000) + 'Z' + 'b'.repeat(5_000_000) + '"';
    const col = 9 + 5_000_000 + 1;
    const frame = formatFrame('big.epl', `pipe r w\n${line}\n`, { line: 2, col }, 'here');
    expect(frame.length).toBeLessThan(300);
    const { text, caretAt } = quote(frame);
    expect(text).toMatch(/^…a+Zb+…$/);
    expect(text.length).toBe(102);
    expect(text[caretAt - 1]).toBe('Z');
    // At either end, one mark only, and the caret still on its character.
    const start = quote(formatFrame('big.epl', line, { line: 1, col: 1 }, 'here'));
    expect(start.text).toBe(line.slice(0, 100) + '…');
    expect(start.caretAt).toBe(1);
    const end = quote(formatFrame('big.epl', line, { line: 1, col: line.length + 1 }, 'end of line'));
    expect(end.text).toBe('…' + line.slice(-100));
    expect(end.text.length + 1).toBe(end.caretAt);
  });

  it('keeps tabs before the caret inside the window', () => {
    const line = 'x'.repeat(200) + '\t\tclose 5' + 'y'.repeat(200);
    const frame = formatFrame('t.epl', line, { line: 1, col: 203 }, 'r');
    const { text, caretAt } = quote(frame);
    expect(text[caretAt - 1]).toBe('c');
    // Two spaces of indent, one under the mark, 58 under the x's kept before the tabs.
    expect(frame.split('\n')[2]).toMatch(/^ {61}\t\t\^$/);
  });
});

describe('a byte order mark', () => {
  it('is no column and is not quoted', () => {
    const src = '\ufeffclose 5\nclose 6';
    expect(locate(src, 7)).toEqual({ line: 1, col: 7 });
    expect(locate(src, 0)).toEqual({ line: 1, col: 1 });
    expect(locate(src, 15)).toEqual({ line: 2, col: 7 });
    expect(sourceLine(src, 1)).toBe('close 5');
    expect(new SourceError('b.epl', src, locate(src, 7), 'r').frame).toBe('b.epl:1:7: r\n  close 5\n        ^');
  });
});

describe('SourceError', () => {
  it('bounds its message: a token it quotes may be megabytes long', () => {
    const e = new SourceError('n.epl', 'sleep 1', { line: 1, col: 7 }, `number '${'9'.repeat(1_000_000)}' is too large`);
    expect(e.reason).toHaveLength(1000);
    expect(e.reason).toMatch(/^number '9+…$/);
    expect(e.frame.length).toBeLessThan(1100);
    expect(new SourceError('n.epl', 'x', { line: 1, col: 1 }, 'short').reason).toBe('short');
  });
});
