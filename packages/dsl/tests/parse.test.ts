import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { SourceError } from '@epl/program';
import type { Scenario, Statement } from '../src/ast';
import { allParses, parse } from '../src/parse';

const one = (src: string): Statement => {
  const items = parse(src, 't.epl').items;
  expect(items).toHaveLength(1);
  return items[0] as Statement;
};
const name = (text: string) => ({ kind: 'name', text });
const num = (value: number) => ({ kind: 'number', value });

describe('statements', () => {
  it.each<[string, object]>([
    ['tcp 5 6', { op: 'tcp', a: name('5'), b: name('6') }],
    ['tcp6 a b', { op: 'tcp6', a: name('a'), b: name('b') }],
    ['unix a b', { op: 'unix', a: name('a'), b: name('b') }],
    ['socket s', { op: 'socket', a: name('s') }],
    ['pair p q', { op: 'pair', a: name('p'), b: name('q') }],
    ['pipe r w', { op: 'pipe', a: name('r'), b: name('w') }],
    ['eventfd e', { op: 'eventfd', a: name('e'), init: undefined }],
    ['eventfd e 3', { op: 'eventfd', a: name('e'), init: num(3) }],
    ['listen L', { op: 'listen', a: name('L') }],
    ['connect c L', { op: 'connect', a: name('c'), b: name('L') }],
    ['accept L -> b', { op: 'accept', a: name('L'), b: name('b') }],
    ['epoll 3', { op: 'epoll', a: name('3') }],
    ['dup 5 -> 7', { op: 'dup', a: name('5'), b: name('7') }],
    ['dup2 5->7', { op: 'dup2', a: name('5'), b: name('7') }],
    ['add 3 5 IN|OUT', { op: 'add', a: name('3'), b: name('5'), flags: { value: 5 }, data: undefined }],
    ['add 3 5 epollin | 0x10 data x', { op: 'add', a: name('3'), b: name('5'), flags: { value: 0x11 }, data: name('x') }],
    ['mod 3 5 0', { op: 'mod', a: name('3'), b: name('5'), flags: { value: 0, span: { offset: 8, end: 9 } } }],
    ['mod 3 5 ET|ONESHOT data 9', { op: 'mod', flags: { value: 0xc0000000 }, data: name('9') }],
    ['del 3 5', { op: 'del', a: name('3'), b: name('5') }],
    ['wait', { op: 'wait', a: undefined, max: undefined, timeout: undefined }],
    ['wait 3', { op: 'wait', a: name('3') }],
    ['wait max 8', { op: 'wait', a: undefined, max: num(8) }],
    ['wait 3 timeout 10 max -1', { op: 'wait', a: name('3'), max: num(-1), timeout: num(10) }],
    ['close 5', { op: 'close', a: name('5') }],
    ['shutdown 5 RD', { op: 'shutdown', a: name('5'), how: { kind: 'how', value: 0 } }],
    ['shutdown 5 shut_rdwr', { op: 'shutdown', how: { value: 2 } }],
    ['shutdown 5 7', { op: 'shutdown', how: { value: 7 } }],
    ['write 5 "ab"', { op: 'write', a: name('5'), data: { kind: 'string', bytes: Uint8Array.from([97, 98]) } }],
    ['write 5 100', { op: 'write', a: name('5'), data: num(100) }],
    ['read 5', { op: 'read', a: name('5'), count: undefined }],
    ['read 5 1', { op: 'read', a: name('5'), count: num(1) }],
    ['send 5 "!" oob', { op: 'send', a: name('5'), data: { bytes: Uint8Array.from([33]) } }],
    ['fill 5', { op: 'fill', a: name('5') }],
    ['drain 5', { op: 'drain', a: name('5') }],
    ['linger 5 0', { op: 'linger', a: name('5'), seconds: num(0) }],
    ['sleep 10', { op: 'sleep', ms: num(10) }],
  ])('%s', (src, expected) => {
    expect(one(src)).toMatchObject({ kind: 'statement', expects: [], ...expected });
  });

  it('reads keywords in any case and keeps names as written', () => {
    expect(one('DuP Client -> client')).toMatchObject({ op: 'dup', a: name('Client'), b: name('client') });
    expect(one('ADD 3 5 In|epollOUT data S')).toMatchObject({ flags: { value: 5 }, data: name('S') });
  });
});

describe('expectations', () => {
  const ex = (src: string) => one(src).expects.map((e) => [e.kind, e.value]);
  it.each<[string, object[]]>([
    ['close 5 => 0', [['result', num(0)]]],
    ['close 5 => -1', [['result', num(-1)]]],
    ['close 5 => ok', [['result', { kind: 'ok' }]]],
    ['close 5 => EBADF', [['result', { kind: 'errno', name: 'EBADF', code: 9 }]]],
    ['close 5 => ewouldblock', [['result', { kind: 'errno', name: 'EWOULDBLOCK', code: 11 }]]],
    ['read 5 => ""', [['result', { kind: 'string', bytes: new Uint8Array() }]]],
    ['wait => none', [['result', { kind: 'none' }]]],
    [
      'wait => 5: IN, x: OUT|RDHUP',
      [
        [
          'result',
          {
            kind: 'ready',
            entries: [
              { name: name('5'), flags: { value: 1 } },
              { name: name('x'), flags: { value: 0x2004 } },
            ],
          },
        ],
      ],
    ],
    ['close 5 ~> none', [['wire', { kind: 'none' }]]],
    [
      'close 5 ~> 5 > 6 F., 6 > 5 R len 0, S > R S. len 3, a > b none',
      [
        [
          'wire',
          {
            kind: 'segments',
            segments: [
              { src: name('5'), dst: name('6'), flags: { value: 0x11 }, len: undefined },
              { src: name('6'), dst: name('5'), flags: { value: 0x04 }, len: num(0) },
              { src: name('S'), dst: name('R'), flags: { value: 0x12 }, len: num(3) },
              { src: name('a'), dst: name('b'), flags: { value: 0 } },
            ],
          },
        ],
      ],
    ],
    [
      'shutdown 5 WR => 0 ~> 5 > 6 F.',
      [
        ['result', num(0)],
        ['wire', { kind: 'segments' }],
      ],
    ],
    [
      'shutdown 5 WR ~> none => 0',
      [
        ['wire', { kind: 'none' }],
        ['result', num(0)],
      ],
    ],
    [
      'close 5 => 0 => 1',
      [
        ['result', num(0)],
        ['result', num(1)],
      ],
    ], // duplicates are the compiler's to reject
  ])('%s', (src, expected) => {
    expect(ex(src)).toMatchObject(expected);
  });
});

describe('spans', () => {
  it('locates statements, operands and expectations; end is where record inserts', () => {
    const src = 'tcp 5 6\n  write 6 "a"  => 1 ~> 6 > 5 P. len 1   # comment\n';
    const s = parse(src, 't.epl').items[1] as Statement & { op: 'write' };
    expect(s.span).toEqual({ line: 2, col: 3, offset: 10, end: 21 });
    expect(s.a.span).toEqual({ line: 2, col: 9, offset: 16, end: 17 });
    expect(s.expects[0].span).toEqual({ line: 2, col: 16, offset: 23, end: 27 });
    expect(s.expects[1].span).toEqual({ line: 2, col: 21, offset: 28, end: 45 });
    expect(s.end).toBe(45);
    expect(src.slice(s.span.offset, s.end)).toBe('write 6 "a"  => 1 ~> 6 > 5 P. len 1');
  });

  it('ends a statement without expectations at its last operand', () => {
    const s = one('wait 3 max 8 timeout 1 ; ');
    expect(s.span).toMatchObject({ offset: 0, end: 22 });
    expect(s.end).toBe(22);
  });

  it('gives a scenario its title, braces and body', () => {
    const src = 'tcp 5 6\nscenario "t\\x41" { close 5\n  close 6 }\n';
    const b = parse(src, 't.epl').items[1] as Scenario;
    expect(Buffer.from(b.title.bytes).toString()).toBe('tA');
    expect(b.brace).toEqual({ line: 2, col: 18, offset: 25, end: 26 });
    expect(b.span).toMatchObject({ line: 2, col: 1, offset: 8, end: src.lastIndexOf('}') + 1 });
    expect(b.body.map((s) => s.op)).toEqual(['close', 'close']);
  });
});

describe('errors: one line, located, never nearley text', () => {
  it.each<[string, string, string]>([
    ['unknown statement', 'tcp 5 6\nfrob 5', "2:1: unknown statement 'frob'"],
    ['unknown statement after {', 'scenario "x" { frob }', "1:16: unknown statement 'frob'"],
    ['not a statement', '5 6', "1:1: expected a statement, got '5'"],
    ['unknown flag', 'add 3 5 IN|BOGUS', "1:12: unknown flag 'BOGUS' (IN, OUT, PRI, ERR, HUP, RDHUP, ET, ONESHOT, …)"],
    ['flag missing after |', 'add 3 5 IN|', "1:12: expected a flag (IN, OUT, …) after '|', got end of file"],
    ['flag missing after | before ;', 'add 3 5 IN| ; close 5', "1:13: expected a flag (IN, OUT, …) after '|', got ';'"],
    ['unknown errno', 'close 5 => EFOO', "1:12: unknown errno 'EFOO'"],
    ['unknown result word', 'close 5 => foo\n', "1:12: expected a result (a number, ok, an errno name, a string, NAME: FLAGS or none) after '=>', got 'foo'"],
    ['a flag as a result', 'close 5 => IN', "1:12: expected a result (a number, ok, an errno name, a string, NAME: FLAGS or none) after '=>', got 'IN'"],
    ['nothing after =>', 'close 5 =>\n', "1:11: expected a result (a number, ok, an errno name, a string, NAME: FLAGS or none) after '=>', got end of line"],
    ['missing operand', 'tcp 5\nclose 5', '1:6: expected a name, got end of line'],
    ['missing operand before ;', 'tcp 5;', "1:6: expected a name, got ';'"],
    ['missing arrow', 'dup 5 7', "1:7: expected '->', got '7'"],
    ['missing oob', 'send 5 "x"', "1:11: expected 'oob', got end of file"],
    ['extra operand', 'tcp 5 6 7', "1:9: extra operand '7' after 'tcp 5 6'"],
    ['extra operand to wait', 'wait 3 5', "1:8: extra operand '5' after 'wait 3'"],
    ['extra after an expectation', 'close 5 => "a" "b"', `1:16: expected '=>', '~>' or end of statement, got "b"`],
    ['reserved word as a name', 'epoll ET', "1:7: 'ET' is reserved (an epoll flag) and cannot be a name"],
    ['keyword as a name', 'tcp 5 close', "1:7: 'close' is reserved (a statement keyword) and cannot be a name"],
    ['errno as a name', 'pipe r EPIPE', "1:8: 'EPIPE' is reserved (an errno name) and cannot be a name"],
    ['other reserved word as a name', 'dup 5 -> data', "1:10: 'data' is reserved (a keyword) and cannot be a name"],
    ['unknown shutdown mode', 'shutdown 5 XX', "1:12: unknown shutdown mode 'XX' (RD, WR, RDWR)"],
    ['unknown tcp flags', 'close 5 ~> 5 > 6 X', "1:18: unknown tcp flags 'X' (tcpdump letters S F R P U E W, '.' for ACK: S, S., ., P., F., R)"],
    ['repeated tcp flag', 'close 5 ~> 5 > 6 SS.', "1:18: unknown tcp flags 'SS.' (tcpdump letters S F R P U E W, '.' for ACK: S, S., ., P., F., R)"],
    ['ready entry without flags', 'wait => 5:', "1:11: expected a flag (IN, OUT, …) after ':', got end of file"],
    ['unterminated string', 'tcp 5 6\nwrite 5 "abc\nclose 5', '2:9: unterminated string'],
    ['unterminated block', 'tcp 5 6\nscenario "shutdown RD" {\n  close 5\n', "3:10: unterminated block: '{' at 2:24 has no '}'"],
    ['a block inside a block', 'scenario "a" {\nclose 5\nscenario "b" {\n}\n', "3:1: unterminated block: '{' at 1:14 has no '}'"],
    ['} outside a block', 'close 5 }', "1:9: unexpected '}': no scenario block is open"],
    ['} is not offered outside a block', 'close 5 6', "1:9: extra operand '6' after 'close 5'"],
    ['block without {', 'scenario "a"\n', "1:13: expected '{', got end of line"],
    ['block without title', 'scenario {', "1:10: expected a string, got '{'"],
    ['binary garbage', 'tcp 5 6\n\x01\x02\x03', "2:1: unexpected character '\\x01'"],
    ['NUL byte', 'close\x005', "1:6: unexpected character '\\x00'"],
    ['bad escape', 'write 5 "a\\qb"', "1:11: unknown escape '\\q' in string"],
    ['flag part over 32 bits', 'add 3 5 IN|0x100000000', '1:12: flag value 0x100000000 does not fit in 32 bits'],
    ['bad number', 'close 5x', "1:7: bad number '5x' (a name is all digits or starts with a letter)"],
    ['first error wins, in source order', 'frob\n"unterminated', "1:1: unknown statement 'frob'"],
  ])('%s', (_, src, expected) => {
    let err: unknown;
    try {
      parse(src, 'e.epl');
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(SourceError);
    const e = err as SourceError;
    expect(`${e.line}:${e.col}: ${e.reason}`).toBe(expected);
    expect(e.reason).not.toMatch(/\n|Instead|nearley|Unexpected/);
    expect(e.frame.startsWith(`e.epl:${expected}\n`)).toBe(true);
  });
});

/** Every .epl file of this package's corpus, the compiler's fixtures and the project's scenarios. */
function corpus(): { file: string; source: string }[] {
  const roots = [join(__dirname, 'corpus'), join(__dirname, '../../compiler/tests/fixtures'), join(__dirname, '../../../scenarios')];
  const out: { file: string; source: string }[] = [];
  const walk = (dir: string) => {
    let entries: string[];
    try {
      entries = readdirSync(dir);
    } catch {
      return;
    }
    for (const e of entries.sort()) {
      const p = join(dir, e);
      if (e === 'node_modules' || e === '_error_') continue;
      if (statSync(p).isDirectory()) walk(p);
      else if (e.endsWith('.epl')) out.push({ file: p, source: readFileSync(p, 'utf8') });
    }
  };
  roots.forEach(walk);
  return out;
}

describe('the grammar is unambiguous', () => {
  const files = corpus();
  it('has a corpus to check', () => {
    expect(files.length).toBeGreaterThanOrEqual(4);
  });
  it.each(files.map((f) => [f.file.replace(/^.*\/(packages|scenarios)\//, '$1/'), f] as const))('%s: exactly one parse, equal to parse()', (_, f) => {
    // Every file of the corpus parses (a file that does not is a failure here, not a pass).
    const ast = parse(f.source, f.file);
    const all = allParses(f.source, f.file);
    expect(all).toHaveLength(1);
    expect(all[0]).toEqual(ast);
  });
});
