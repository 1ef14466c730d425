import { LIMITS } from '@epl/program';
import { decodeString, tokenize } from '../src/lexer';
import { parse } from '../src/parse';

const types = (src: string) => tokenize(src).map((t) => `${t.type}:${t.text}`);

describe('tokenize', () => {
  it('drops spaces and comments, keeps separators, and types keywords case-insensitively', () => {
    expect(types('DUP 5 -> x  # comment\nwait;Wait')).toEqual([
      'kw_dup:DUP',
      'int:5',
      'arrow:->',
      'ident:x',
      'nl:\n',
      'kw_wait:wait',
      'semi:;',
      'kw_wait:Wait',
    ]);
  });

  it('types flag words with or without EPOLL, shutdown modes, errno names and the other reserved words', () => {
    expect(types('IN epollrdhup ET rd SHUT_WR EPIPE ewouldblock max timeout data oob len none ok scenario')).toEqual([
      'eflag:IN',
      'eflag:epollrdhup',
      'eflag:ET',
      'shut:rd',
      'shut:SHUT_WR',
      'errno:EPIPE',
      'errno:ewouldblock',
      'kw_max:max',
      'kw_timeout:timeout',
      'kw_data:data',
      'kw_oob:oob',
      'kw_len:len',
      'kw_none:none',
      'kw_ok:ok',
      'kw_scenario:scenario',
    ]);
  });

  it('reads numbers: decimal, hex, negative', () => {
    const t = tokenize('7 0x1F -3 -0x10');
    expect(t.map((x) => [x.type, x.num])).toEqual([
      ['int', 7],
      ['hex', 31],
      ['neg', -3],
      ['neg', -16],
    ]);
  });

  it('lexes tcpdump flags: a dot makes one token, S and R alone are identifiers', () => {
    expect(types('5 > 6 S. , 6 > 5 FP. , 5 > 6 . , 6 > 5 R , 5 > 6 .E')).toEqual([
      'int:5',
      'gt:>',
      'int:6',
      'tcpdot:S.',
      'comma:,',
      'int:6',
      'gt:>',
      'int:5',
      'tcpdot:FP.',
      'comma:,',
      'int:5',
      'gt:>',
      'int:6',
      'tcpdot:.',
      'comma:,',
      'int:6',
      'gt:>',
      'int:5',
      'ident:R',
      'comma:,',
      'int:5',
      'gt:>',
      'int:6',
      'tcpdot:.E',
    ]);
  });

  it('takes CRLF line ends', () => {
    expect(types('close 5\r\nclose 6\r\n')).toEqual(['kw_close:close', 'int:5', 'nl:\n', 'kw_close:close', 'int:6', 'nl:\n']);
  });

  it("skips a leading byte order mark: offsets stay the text's, columns start after it", () => {
    const t = tokenize('\ufeffclose 5\nclose 6');
    expect(t.map((x) => [x.text, x.offset, x.line, x.col])).toEqual([
      ['close', 1, 1, 1],
      ['5', 7, 1, 7],
      ['\n', 8, 1, 8],
      ['close', 9, 2, 1],
      ['6', 15, 2, 7],
    ]);
    // Only at the start: anywhere else it is a character like any other.
    expect(() => tokenize('close 5 \ufeff')).toThrow(expect.objectContaining({ reason: 'unexpected character U+FEFF', offset: 8 }) as Error);
    expect(() => parse('\ufeffpipe r w\nfrob\n', 'bom.epl')).toThrow("bom.epl:2:1: unknown statement 'frob'");
  });

  it('scans strings of any length: a token, or a located error past LIMITS.maxStringBytes', () => {
    const max = LIMITS.maxStringBytes;
    const tooLong = expect.objectContaining({ reason: `string longer than ${max} bytes (LIMITS.maxStringBytes)`, offset: 8 }) as Error;
    const [, , s] = tokenize(`write w "${'a'.repeat(max)}" x`);
    expect([s.type, s.bytes!.length, s.col]).toEqual(['string', max, 9]);
    expect(tokenize(`write w "${'a'.repeat(max)}" x`)[3]).toMatchObject({ type: 'ident', col: max + 12 });
    expect(() => tokenize(`write w "${'a'.repeat(max + 1)}"`)).toThrow(tooLong);
    // Escapes count as the bytes they stand for; beyond 4 characters a byte, not even decoded.
    expect(tokenize(`write w "${'\\x00'.repeat(max / 4)}"`)[2].bytes!.length).toBe(max / 4);
    expect(() => tokenize(`write w "${'\\0'.repeat(max + 1)}"`)).toThrow(tooLong);
    // A regular expression overflowed the stack on these (8.4 million characters and more).
    expect(() => tokenize(`write w "${'a'.repeat(9_000_000)}"`)).toThrow(tooLong);
    expect(() => tokenize(`write w "${'a'.repeat(9_000_000)}\nclose w`)).toThrow(
      expect.objectContaining({ reason: 'unterminated string', offset: 8 }) as Error,
    );
  });

  it.each([
    ['"5a"', '5a', "bad number '5a' (a name is all digits or starts with a letter)", 0],
    ['unterminated', 'write 5 "abc', 'unterminated string', 8],
    ['trailing backslash', 'write 5 "abc\\', 'unterminated string', 8],
    ['binary', 'close 5 \x01\x02', "unexpected character '\\x01'", 8],
    ['non-ASCII outside a string', 'close é', 'unexpected character U+00E9', 6],
    ['a lone dash', 'close -', "unexpected character '-'", 6],
    ['a huge number', 'sleep 99999999999999999999', "number '99999999999999999999' is too large", 6],
  ])('rejects %s with a located fault', (_, src, reason, offset) => {
    // eslint-disable-next-line @typescript-eslint/no-unsafe-argument -- jest types its asymmetric matchers as any
    expect(() => tokenize(src)).toThrow(expect.objectContaining({ reason, offset }));
  });
});

describe('decodeString', () => {
  it.each([
    ['"abc"', [97, 98, 99]],
    ['""', []],
    ['"\\n\\t\\r\\0\\\\\\"\\\'\\a\\b\\f\\v\\?"', [10, 9, 13, 0, 92, 34, 39, 7, 8, 12, 11, 63]],
    ['"\\x00\\xff\\x7"', [0, 255, 7]],
    ['"\\x41BC"', [0x41, 66, 67]], // two hex digits at most: "\x41BC" is "ABC"
    ['"\\101\\0\\12\\1234"', [65, 0, 10, 83, 52]], // octal: up to three digits
    ['"é€"', [0xc3, 0xa9, 0xe2, 0x82, 0xac]], // UTF-8
    ['"a\\x00é"', [97, 0, 0xc3, 0xa9]],
  ])('%s', (text, expected) => {
    expect(Array.from(decodeString(text, 0))).toEqual(expected);
  });

  it.each([
    ['"\\q"', "unknown escape '\\q' in string", 11],
    ['"ab\\xZZ"', "'\\x' needs one or two hex digits", 13],
    ['"\\777"', "octal escape '\\777' is over 255", 11],
  ])('rejects %s at the backslash', (text, reason, offset) => {
    // eslint-disable-next-line @typescript-eslint/no-unsafe-argument -- jest types its asymmetric matchers as any
    expect(() => decodeString(text, 10)).toThrow(expect.objectContaining({ reason, offset }));
  });
});
