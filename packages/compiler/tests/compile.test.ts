import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { LIMITS, Op, ProgramBuilder, SourceError, opCount, word, type Program } from '@epl/program';
import { compile, compileFile } from '../src/compile';
import { programDiff } from '../src/equal';

const only = (src: string): Program => {
  const ps = compile(src, 'dir/t.epl');
  expect(ps).toHaveLength(1);
  return ps[0];
};
/** The Program the builder makes from (op, operands) rows: the reference for the compiler's output. */
const built = (rows: [Parameters<ProgramBuilder['op']>[0], (string | number | Uint8Array)[]][]) => {
  const b = new ProgramBuilder();
  for (const [op, operands] of rows) b.op(op, operands);
  return b.build();
};
const bytes = (s: string) => Uint8Array.from(Buffer.from(s, 'latin1'));

describe('every statement lowers to its op', () => {
  // prettier-ignore
  it.each<[string, ReturnType<typeof built>]>([
    ['tcp 5 6', built([['tcp', ['5', '6']]])],
    ['tcp6 a b', built([['tcp6', ['a', 'b']]])],
    ['unix a b', built([['unix', ['a', 'b']]])],
    ['socket s', built([['socket', ['s']]])],
    ['pair p q', built([['pair', ['p', 'q']]])],
    ['pipe r w', built([['pipe', ['r', 'w']]])],
    ['eventfd e', built([['eventfd', ['e', 0]]])],
    ['eventfd e -2', built([['eventfd', ['e', -2]]])],
    ['listen L', built([['listen', ['L']]])],
    ['listen L; connect c L', built([['listen', ['L']], ['connect_new', ['c', 'L']]])],
    ['listen L; socket s; connect s L', built([['listen', ['L']], ['socket', ['s']], ['connect', ['s', 'L']]])],
    ['listen L; socket s; close s; connect s L', built([['listen', ['L']], ['socket', ['s']], ['close', ['s']], ['connect_new', ['s', 'L']]])],
    ['listen L; accept L -> b', built([['listen', ['L']], ['accept', ['L', 'b']]])],
    ['epoll 3', built([['epoll', ['3']]])],
    ['pipe r w; dup r -> x', built([['pipe', ['r', 'w']], ['dup', ['r', 'x']]])],
    ['pipe r w; dup2 r -> w', built([['pipe', ['r', 'w']], ['dup2', ['r', 'w']]])],
    ['pipe r w; close w; dup2 r -> w', built([['pipe', ['r', 'w']], ['close', ['w']], ['dup2', ['r', 'w']]])],
    ['epoll 3; pipe r w; add 3 r IN', built([['epoll', ['3']], ['pipe', ['r', 'w']], ['add', ['3', 'r', 1, 'r']]])],
    ['epoll 3; pipe r w; add 3 r IN|ET data x', built([['epoll', ['3']], ['pipe', ['r', 'w']], ['add', ['3', 'r', 0x80000001, 'x']]])],
    ['epoll 3; pipe r w; mod 3 w 0 data r', built([['epoll', ['3']], ['pipe', ['r', 'w']], ['mod', ['3', 'w', 0, 'r']]])],
    ['epoll 3; pipe r w; del 3 r', built([['epoll', ['3']], ['pipe', ['r', 'w']], ['del', ['3', 'r']]])],
    ['epoll 3; wait', built([['epoll', ['3']], ['wait', ['3', 64, 0]]])],
    ['epoll 3; wait 3 max 0 timeout 5', built([['epoll', ['3']], ['wait', ['3', 0, 5]]])],
    ['epoll 3; wait timeout 5 max -7', built([['epoll', ['3']], ['wait', ['3', -7, 5]]])],
    ['pipe r w; close r', built([['pipe', ['r', 'w']], ['close', ['r']]])],
    ['tcp 5 6; shutdown 5 WR', built([['tcp', ['5', '6']], ['shutdown', ['5', 1]]])],
    ['tcp 5 6; shutdown 5 -1', built([['tcp', ['5', '6']], ['shutdown', ['5', -1]]])],
    ['pipe r w; write w "a\\x00"', built([['pipe', ['r', 'w']], ['write', ['w', bytes('a\0')]]])],
    ['pipe r w; write w 3', built([['pipe', ['r', 'w']], ['write_n', ['w', 3]]])],
    ['pipe r w; read r', built([['pipe', ['r', 'w']], ['read', ['r', 1024]]])],
    ['pipe r w; read r 0', built([['pipe', ['r', 'w']], ['read', ['r', 0]]])],
    ['tcp 5 6; send 5 "!" oob', built([['tcp', ['5', '6']], ['send_oob', ['5', bytes('!')]]])],
    ['pipe r w; fill w; drain r', built([['pipe', ['r', 'w']], ['fill', ['w']], ['drain', ['r']]])],
    ['tcp 5 6; linger 5 2', built([['tcp', ['5', '6']], ['linger', ['5', 2]]])],
    ['sleep 20', built([['sleep', [20]]])],
  ])('%s', (src, expected) => {
    expect(programDiff(only(src), expected)).toBeUndefined();
  });

  it('numbers slots by first appearance in operand order; data names may be unbound', () => {
    const p = only('epoll ep\ntcp 5 6\nadd ep 6 IN data zz\ndup 5 -> 7');
    expect(p.names).toEqual(['ep', '5', '6', 'zz', '7']);
    expect(p.slotCount).toBe(5);
    expect(word(p, 2, 4)).toBe(3);
  });

  it('leaves descriptor kinds to the kernel', () => {
    // A pipe as an epoll, wait on a pipe, accept on a connected socket, max 0: all compile.
    const p = only('pipe r w\nadd r w OUT\nwait r max 0\ntcp 5 6\naccept 5 -> 7');
    expect(Array.from({ length: opCount(p) }, (_, i) => word(p, i, 0))).toEqual([Op.pipe, Op.add, Op.wait, Op.tcp, Op.accept]);
  });

  it('lets a closed name be bound again', () => {
    const p = only('pipe r w\nclose r\nclose w\npipe r w');
    expect(p.names).toEqual(['r', 'w']);
  });
});

describe('expectations', () => {
  it('lowers every result and wire form', () => {
    const p = only(`tcp 5 6 => ok ~> 5 > 6 S, 6 > 5 S., 5 > 6 .
epoll 3 => 0
read 5 => "a\\n"
read 5 => EAGAIN
write 5 "x" => -1
wait => 5: IN|OUT, 6: 0x10
wait 3 => none
close 5 ~> none
close 6 ~> 6 > 5 F. len 0, 5 > 6 R len 7`);
    expect(p.steps.map((s) => s.expect)).toEqual([
      { kind: 'ok' },
      { kind: 'number', value: 0 },
      { kind: 'bytes', value: Uint8Array.from([97, 10]) },
      { kind: 'errno', name: 'EAGAIN', code: 11 },
      { kind: 'number', value: -1 },
      {
        kind: 'ready',
        entries: [
          { slot: 0, events: 5 },
          { slot: 1, events: 0x10 },
        ],
      },
      { kind: 'none' },
      undefined,
      undefined,
    ]);
    expect(p.steps[0].wire).toEqual({
      kind: 'segments',
      segments: [
        { src: 0, dst: 1, flags: 0x02, len: 0 },
        { src: 1, dst: 0, flags: 0x12, len: 0 },
        { src: 0, dst: 1, flags: 0x10, len: 0 },
      ],
    });
    expect(p.steps[7].wire).toEqual({ kind: 'none' });
    expect(p.steps[8].wire).toEqual({
      kind: 'segments',
      segments: [
        { src: 1, dst: 0, flags: 0x11, len: 0 },
        { src: 0, dst: 1, flags: 0x04, len: 7 },
      ],
    });
  });

  it('fills span, end, expectSpan and wireSpan', () => {
    const src = 'tcp 5 6\nclose 5   ~> none  => 0   # done\n';
    const s = only(src).steps[1];
    expect(s.span).toEqual({ line: 2, col: 1, offset: 8, end: 15 });
    expect(src.slice(s.span.offset, s.end)).toBe('close 5   ~> none  => 0');
    expect(s.wireSpan).toEqual({ line: 2, col: 11, offset: 18, end: 25 });
    expect(s.expectSpan).toEqual({ line: 2, col: 20, offset: 27, end: 31 });
    expect(s.setup).toBe(false);
  });
});

describe('scenarios', () => {
  const src = `tcp 5 6
epoll 3
scenario "first" {
  close 5
}
# between blocks: comments and blank lines only

scenario "second" { close 6; wait }
`;
  it('makes one Program per block: the setup steps (shared spans) then the block', () => {
    const [a, b] = compile(src, 'x/y.epl');
    expect([a.title, a.index, a.file, b.title, b.index]).toEqual(['first', 0, 'x/y.epl', 'second', 1]);
    expect(a.steps.map((s) => s.setup)).toEqual([true, true, false]);
    expect(b.steps.map((s) => s.setup)).toEqual([true, true, false, false]);
    expect(a.steps[0].span).toEqual(b.steps[0].span);
    expect(b.names).toEqual(['5', '6', '3']);
    expect(word(b, 3, 0)).toBe(Op.wait);
  });

  it('titles a file without blocks after its basename, and nothing in it is setup', () => {
    const [p] = compile('pipe r w\n', 'some/dir/half-close.test.epl');
    expect(p.title).toBe('half-close.test');
    expect(p.steps[0].setup).toBe(false);
  });

  it('decodes a title as UTF-8', () => {
    expect(compile('scenario "caf\\xc3\\xa9 \\"x\\"" {}', 't.epl')[0].title).toBe('café "x"');
  });

  it('counts epolls per scenario for a bare wait', () => {
    const ps = compile('scenario "a" { epoll 3; wait }\nscenario "b" { epoll 4; wait }', 't.epl');
    expect(ps.map((p) => p.names)).toEqual([['3'], ['4']]);
  });
});

describe('compileFile', () => {
  it('reads UTF-8 and names the Programs and errors after the path', () => {
    const dir = mkdtempSync(join(tmpdir(), 'epl-compile-'));
    try {
      const f = join(dir, 'two.epl');
      writeFileSync(f, 'pipe r w\nscenario "é" { close r }\nscenario "b" { close w }\n');
      const ps = compileFile(f);
      expect(ps.map((p) => [p.file, p.title, p.index])).toEqual([
        [f, 'é', 0],
        [f, 'b', 1],
      ]);
      writeFileSync(f, 'close 5\n');
      expect(() => compileFile(f)).toThrow(`${f}:1:7: unknown name '5'`);
      expect(() => compileFile(join(dir, 'missing.epl'))).toThrow(/ENOENT/);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe('errors, located', () => {
  const big = (n: number, line: string) => Array.from({ length: n }, () => line).join('\n');
  it.each<[string, string, string]>([
    ['name never bound', 'epoll 3\ntcp 5 6\ndup 5 -> 7\nshutdown 8 RD', "4:10: unknown name '8' (known: 3, 5, 6, 7)"],
    ['name never bound, nothing bound yet', 'close x', "1:7: unknown name 'x' (no name is bound yet)"],
    ['name used before it is bound', 'close 5; tcp 5 6', "1:7: '5' is used before it is bound (at 1:14)"],
    ['binding an open name', 'tcp 5 6\nepoll 3\npipe 5 9', "3:6: '5' is still open (bound at 1:5); close it first or use another name"],
    ['binding a name twice in one statement', 'tcp 5 5', "1:7: '5' is still open (bound at 1:5); close it first or use another name"],
    ['binding an open name with connect is a connect', 'listen L; socket s; connect s L; connect s L', ''],
    [
      'dup2 to a never-bound name',
      'tcp 5 6\ndup2 5 -> 9',
      "2:11: dup2 target '9' has no number yet: bind it before (dup2 reuses the number of an open or closed name)",
    ],
    [
      'wait without epoll, several',
      'epoll 3\nepoll ep\nwait',
      "3:1: wait without an epoll name, but this scenario has several (3, ep): write 'wait 3' or another",
    ],
    [
      'wait without epoll, none',
      'pipe r w\nwait => none',
      "2:1: wait without an epoll name, and this scenario creates no epoll: write 'wait E' (or 'epoll E' first)",
    ],
    ['string on close', 'tcp 5 6\nclose 5 => "x"', '2:12: a string result is only for read (close returns a number, ok or an errno)'],
    ['string on drain', 'pipe r w\ndrain r => ""', '2:12: a string result is only for read (drain returns the byte count: => 0)'],
    ['ready list on write', 'tcp 5 6\nwrite 5 "a" => 5: IN', '2:16: a ready list is only for wait (write returns a number, ok or an errno)'],
    ['none result on close', 'tcp 5 6\nclose 5 => none', "2:12: 'none' as a result is only for wait (close returns a number, ok or an errno)"],
    ['ready list naming an unknown name', 'epoll 3\nwait => 9: IN', "2:9: unknown name '9' in ready list (known: 3)"],
    ['wire endpoint unknown', 'tcp 5 6\nclose 5 ~> 5 > 9 F.', "2:16: wire expectation names unknown endpoint '9' (sockets: 5, 6)"],
    [
      'wire endpoint that is a dup, not a socket maker',
      'tcp 5 6\ndup 5 -> 7\nclose 7 ~> 7 > 6 F.',
      "3:12: wire expectation names unknown endpoint '7' (sockets: 5, 6)",
    ],
    ['wire endpoint that is a pipe', 'pipe r w\nclose w ~> r > w F.', "2:12: wire expectation names unknown endpoint 'r' (no sockets in this scenario)"],
    [
      'statement after the first block',
      'tcp 5 6\nscenario "a" {\n}\nclose 5',
      "4:1: statement after the first scenario block: setup statements go before the first 'scenario', the rest inside a block",
    ],
    ['duplicate =>', 'tcp 5 6\nclose 5 => 0 ~> none => 0', "2:22: duplicate '=>' on one step"],
    ['duplicate ~>', 'tcp 5 6\nclose 5 ~> none ~> none', "2:17: duplicate '~>' on one step"],
    ['sleep over the limit', 'sleep 2001', '1:7: sleep 2001 is over the limit of 2000 ms'],
    ['negative sleep', 'sleep -1', '1:7: sleep cannot be negative'],
    ['timeout over the limit', 'epoll 3\nwait 3 timeout 5000', '2:16: timeout 5000 is over the limit of 2000 ms'],
    ['negative timeout', 'epoll 3\nwait timeout -5', '2:14: timeout cannot be negative'],
    ['max over the limit', 'epoll 3\nwait max 1025', '2:10: max 1025 is over the limit of 1024 events'],
    ['read size over the limit', 'pipe r w\nread r 1048577', '2:8: read size 1048577 is over the limit of 1048576 bytes'],
    ['negative write size', 'pipe r w\nwrite w -1', '2:9: write size cannot be negative'],
    ['linger over the limit', 'tcp 5 6\nlinger 5 3', '2:10: linger 3 is over the limit of 2 seconds'],
    [
      'time budget',
      'tcp 5 6\nlinger 5 2\n' + big(4, 'sleep 2000') + '\nsleep 1',
      '7:7: time budget exceeded: sleeps, wait timeouts and lingers add up to 10001 ms in this scenario (limit 10000 ms)',
    ],
    ['too many ops', big(LIMITS.maxOps + 1, 'sleep 0'), `${LIMITS.maxOps + 1}:1: more than ${LIMITS.maxOps} steps in one scenario (setup included)`],
    [
      'too many names',
      Array.from({ length: LIMITS.maxSlots / 2 + 1 }, (_, i) => `pipe r${i} w${i}`).join('\n'),
      `${LIMITS.maxSlots / 2 + 1}:6: more than ${LIMITS.maxSlots} names in one scenario`,
    ],
    [
      'too many string bytes',
      `pipe r w\nwrite w "${'x'.repeat(LIMITS.maxStringBytes)}"\nwrite w "y"`,
      `3:9: strings add up to more than ${LIMITS.maxStringBytes} bytes in one scenario`,
    ],
    ['int out of range', 'eventfd e 2147483648', '1:11: 2147483648 is out of range (a 32-bit signed integer)'],
    ['flag part out of 32 bits', 'epoll 3; pipe r w; add 3 r IN|0x100000000', '1:31: flag value 0x100000000 does not fit in 32 bits'],
    ['a syntax error comes out the same way', 'tcp 5 6\nclose 5 6', "2:9: extra operand '6' after 'close 5'"],
  ])('%s', (_, src, expected) => {
    let err: unknown;
    try {
      compile(src, 'e.epl');
    } catch (e) {
      err = e;
    }
    if (expected === '') {
      expect(err).toBeUndefined();
      return;
    }
    expect(err).toBeInstanceOf(SourceError);
    const e = err as SourceError;
    expect(`${e.line}:${e.col}: ${e.reason}`).toBe(expected);
  });

  it('reports errors in source order: an expectation before a later name', () => {
    expect(() => compile('tcp 5 6\nclose 5 => "x"\nclose 9', 'e.epl')).toThrow(/e\.epl:2:12: a string result/);
  });

  it('resolves a ready-list name whose slot comes from a later op', () => {
    const p = only('epoll 3\nwait => r: IN\npipe r w');
    expect(p.names).toEqual(['3', 'r', 'w']);
    expect(p.steps[1].expect).toEqual({ kind: 'ready', entries: [{ slot: 1, events: 1 }] });
  });

  it('reports the first error of the file: setup errors in the first scenario', () => {
    expect(() => compile('close 9\nscenario "a" {}\nscenario "b" { close 8 }', 'e.epl')).toThrow(/e\.epl:1:7: unknown name '9'/);
  });
});
