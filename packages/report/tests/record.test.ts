import { SHUT } from '@epl/program';
import { firstTcpOp, record } from '../src/record';
import { shutRd } from './fixtures';
import { A, F, SourceProgram, bytes, result, step } from './helpers';

describe('record', () => {
  it('fills => and ~> on every step that had none, byte for byte elsewhere', () => {
    const { source, program, result: r } = shutRd();
    const out = record(source, [program], [r]);
    expect(out).toBe(`# shutdown(SHUT_RD) is local: nothing on the wire
tcp 5 6 => ok ~> 5 > 6 S, 6 > 5 S., 5 > 6 .
epoll 3 => ok ~> none
add 3 5 IN|OUT|ERR|HUP|RDHUP => 0 ~> none
add 3 6 IN|OUT|ERR|HUP|RDHUP => 0 ~> none
wait   => 5: OUT, 6: OUT ~> none

shutdown 5 RD => 0 ~> none    # the peer cannot tell
wait => 5: IN|OUT|RDHUP, 6: OUT ~> none
read 5 1 => "" ~> none
write 6 "a" => 1 ~> 6 > 5 P. len 1, 5 > 6 .
read 5 1 => "a" ~> none
close 5 => 0 ~> 5 > 6 F.
wait => 6: IN|OUT|RDHUP ~> none
`);
  });

  it('writes no ~> when the wire was not captured', () => {
    const { source, program, result: r } = shutRd();
    const out = record(source, [program], [{ ...r, wire: { captured: false, reason: 'no CAP_NET_RAW' } }]);
    expect(out).not.toContain('~>');
    expect(out).toContain('write 6 "a" => 1\n');
  });

  it('writes no ~> in a scenario without TCP sockets', () => {
    const source = 'pipe r w\nwrite w "hi"\nread r\n';
    const p = new SourceProgram(source).op('pipe', ['r', 'w'], 'pipe r w').op('write', ['w', 'hi'], 'write w "hi"').op('read', ['r', 1024], 'read r').build();
    expect(firstTcpOp(p, 'tcp')).toBe(Infinity);
    const out = record(source, [p], [result([step({ fds: [3, 4] }), step({ ret: 2 }), step({ ret: 2, bytes: bytes('hi') })])]);
    expect(out).toBe('pipe r w => ok\nwrite w "hi" => 2\nread r => "hi"\n');
  });

  it('a `pair` has a wire with tcp, none with unix', () => {
    const source = 'pair a b\nclose a\n';
    const build = () => new SourceProgram(source).op('pair', ['a', 'b'], 'pair a b').op('close', ['a'], 'close a').build();
    const unix = record(source, [build()], [result([step({ fds: [3, 4] }), step()], { family: 'unix' })]);
    expect(unix).toBe('pair a b => ok\nclose a => 0\n');
    const tcp = record(source, [build()], [result([step({ fds: [3, 4] }), step({ wire: [{ src: 0, dst: 1, flags: F | A, len: 0 }] })])]);
    expect(tcp).toBe('pair a b => ok ~> none\nclose a => 0 ~> 5 > 6 F.\n'.replace('5 > 6', 'a > b'));
  });

  it("a setup step takes the first scenario's observation; steps that did not run get nothing", () => {
    const source = `tcp 5 6   # setup
epoll 3
scenario "one" {
  shutdown 5 WR
}
scenario "two" {
  shutdown 5 RD
  close 6
}
`;
    const make = (title: string, index: number, how: number, stmt: string) => {
      const p = new SourceProgram(source, 'f.epl', title, index)
        .op('tcp', ['5', '6'], 'tcp 5 6', { setup: true })
        .op('epoll', ['3'], 'epoll 3', { setup: true })
        .op('shutdown', ['5', how], stmt);
      if (index === 1) p.op('close', ['6'], 'close 6');
      return p.build();
    };
    const one = make('one', 0, SHUT.WR, 'shutdown 5 WR');
    const two = make('two', 1, SHUT.RD, 'shutdown 5 RD');
    const r1 = result([step({ fds: [20, 21] }), step({ fds: [22] }), step({ wire: [{ src: 0, dst: 1, flags: F | A, len: 0 }] })]);
    const r2 = result([step({ fds: [30, 31], wire: [{ src: 0, dst: 1, flags: 2, len: 0 }] }), step({ ret: -1, errno: 24 }), step()], { error: 'stopped' });
    const out = record(source, [one, two], [r1, r2]);
    expect(out).toBe(`tcp 5 6 => ok ~> none   # setup
epoll 3 => ok ~> none
scenario "one" {
  shutdown 5 WR => 0 ~> 5 > 6 F.
}
scenario "two" {
  shutdown 5 RD => 0 ~> none
  close 6
}
`);
  });

  it('keeps existing expectations and adds only the missing kind', () => {
    const source = 'tcp 5 6\nshutdown 5 WR => 0 # fin\n';
    const p = new SourceProgram(source)
      .op('tcp', ['5', '6'], 'tcp 5 6')
      .op('shutdown', ['5', SHUT.WR], 'shutdown 5 WR', { whole: 'shutdown 5 WR => 0', expect: { kind: 'number', value: 0 } })
      .build();
    const r = result([step({ fds: [3, 4] }), step({ wire: [{ src: 0, dst: 1, flags: F | A, len: 0 }] })]);
    const out = record(source, [p], [r]);
    expect(out).toBe('tcp 5 6 => ok ~> none\nshutdown 5 WR => 0 ~> 5 > 6 F. # fin\n');
  });
});
