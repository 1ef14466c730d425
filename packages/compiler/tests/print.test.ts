import fc from 'fast-check';
import { ProgramBuilder, type Program } from '@epl/program';
import { allParses } from '@epl/dsl';
import { compile } from '../src/compile';
import { programDiff } from '../src/equal';
import { print, printReady, printResult, printSegments, printStatement, quote } from '../src/print';
import { programs } from './gen';

const roundTrip = (p: Program): Program => compile(print(p), 'printed.epl')[0];

describe('print', () => {
  it('prints one statement per line, expectations appended, defaults left out', () => {
    const [p] = compile(
      `epoll 3; tcp 5 6 => ok ~> 5 > 6 S, 6 > 5 S., 5 > 6 .
add 3 5 in|epollout DATA 5
add 3 6 IN|0x800 data 9
wait max 64 timeout 0 => 5: OUT, 6: 0
wait 3 max 8 timeout 20 => none
read 5 1024 => "a\\x00\\n\\"\\\\\\xff"
read 5 1
eventfd e 0
eventfd f 3
listen L; connect c L => EINPROGRESS; socket s; connect s L
dup2 5 -> 6
shutdown 5 SHUT_RDWR; shutdown 6 9
write 5 "x" ~> 5 > 6 P. len 1, 6 > 5 none
write 5 10; send 5 "!" oob; sleep 3; linger 5 0`,
      'dir/print me.epl',
    );
    expect(print(p)).toBe(`# print me
epoll 3
tcp 5 6 => ok ~> 5 > 6 S, 6 > 5 S., 5 > 6 .
add 3 5 IN|OUT
add 3 6 IN|0x800 data 9
wait 3 => 5: OUT, 6: 0
wait 3 max 8 timeout 20 => none
read 5 => "a\\x00\\n\\"\\\\\\xff"
read 5 1
eventfd e
eventfd f 3
listen L
connect c L => EINPROGRESS
socket s
connect s L
dup2 5 -> 6
shutdown 5 RDWR
shutdown 6 9
write 5 "x" ~> 5 > 6 P. len 1, 6 > 5 none
write 5 10
send 5 "!" oob
sleep 3
linger 5 0
`);
  });

  it('keeps setup and scenario apart: setup lines, then the block under its title', () => {
    const [, p] = compile('tcp 5 6\nscenario "a" {}\nscenario "b \\"2\\" é" { close 5 => 0 }', 't.epl');
    const text = print(p);
    expect(text).toBe('tcp 5 6\nscenario "b \\"2\\" \\xc3\\xa9" {\n  close 5 => 0\n}\n');
    const q = roundTrip(p);
    expect(q.title).toBe('b "2" é');
    expect(q.steps.map((s) => s.setup)).toEqual([true, false]);
  });

  it('quotes bytes: printable ASCII as is, named escapes, \\xHH for the rest', () => {
    expect(quote(Uint8Array.from([0x61, 0x22, 0x5c, 0x0a, 0x09, 0x0d, 0x00, 0x7f, 0x80, 0x41]))).toBe('"a\\"\\\\\\n\\t\\r\\x00\\x7f\\x80A"');
  });

  it('refuses a Program no source could produce', () => {
    const bad = new ProgramBuilder().op('pipe', ['r w', 'x']).build();
    expect(() => print(bad)).toThrow("print: slot name 'r w' is not a valid EPL name");
    const reserved = new ProgramBuilder().op('epoll', ['ET']).build();
    expect(() => print(reserved)).toThrow(/'ET' is not a valid EPL name/);
  });
});

describe('the pieces reports print with', () => {
  const bytes = (s: string) => Uint8Array.from(Buffer.from(s, 'latin1'));
  const names = ['5', '6', 'ep'];
  it('quote: C escapes, two-digit \\x (a following hex digit stays a character), and ... past max', () => {
    expect(quote(bytes('a"b\\c\n\t\r'))).toBe('"a\\"b\\\\c\\n\\t\\r"');
    expect(quote(Uint8Array.of(0, 0x61, 0x7a, 0xff))).toBe('"\\x00az\\xff"');
    expect(quote(bytes('abcdef'), 3)).toBe('"abc"...');
  });
  it('a ready list as NAME: FLAGS, an empty one as none, an unnamed slot as #N', () => {
    expect(
      printReady(names, [
        { slot: 0, events: 0x2005 },
        { slot: 1, events: 4 },
      ]),
    ).toBe('5: IN|OUT|RDHUP, 6: OUT');
    expect(printReady(names, [])).toBe('none');
    expect(printReady(names, [{ slot: 9, events: 1 }])).toBe('#9: IN');
  });
  it('segments with tcpdump letters, len only when there is payload', () => {
    expect(
      printSegments(names, [
        { src: 1, dst: 0, flags: 0x18, len: 1 },
        { src: 0, dst: 1, flags: 0x10, len: 0 },
      ]),
    ).toBe('6 > 5 P. len 1, 5 > 6 .');
    expect(printSegments(names, [])).toBe('none');
  });
  it('each kind of => as a script writes it', () => {
    expect(printResult(names, { kind: 'ok' })).toBe('ok');
    expect(printResult(names, { kind: 'number', value: -3 })).toBe('-3');
    expect(printResult(names, { kind: 'errno', name: 'EPIPE', code: 32 })).toBe('EPIPE');
    expect(printResult(names, { kind: 'bytes', value: bytes('') })).toBe('""');
    expect(printResult(names, { kind: 'none' })).toBe('none');
  });
  it('a statement without its expectations, defaults left out', () => {
    const [p] = compile('epoll 3\nwait 3 max 64 timeout 0 => none\nwait 3 max 8\nread 3 1024', 'x.epl');
    expect([1, 2, 3].map((i) => printStatement(p, i, p.names))).toEqual(['wait 3', 'wait 3 max 8', 'read 3']);
  });
});

describe('compile(print(p)) is p', () => {
  it('for random valid Programs (code, strings, slots, names, expectations, setup flags)', () => {
    fc.assert(
      fc.property(programs(), (p) => {
        const q = roundTrip(p);
        const diff = programDiff(p, q);
        if (diff !== undefined) throw new Error(`${diff}\n--- printed:\n${print(p)}`);
        expect(q.steps.map((s) => s.setup)).toEqual(p.steps.map((s) => s.setup));
        // The printed text is also a corpus for the grammar: exactly one parse of the whole file.
        expect(allParses(print(p), 'printed.epl')).toHaveLength(1);
      }),
      { numRuns: 400 },
    );
  });

  it('for the compiled fixtures, and printing is stable', () => {
    const src = `tcp 5 6\nepoll 3\nadd 3 5 IN|OUT|RDHUP\nscenario "x" {\n  shutdown 5 WR => 0 ~> 5 > 6 F.\n  wait => 5: OUT, 6: IN|OUT|RDHUP\n}\n`;
    const [p] = compile(src, 't.epl');
    const once = print(p);
    expect(print(roundTrip(p))).toBe(once);
    expect(programDiff(p, roundTrip(p))).toBeUndefined();
  });
});
