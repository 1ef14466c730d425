import { compile } from '@epl/compiler';
import { result, step, viewOf } from '@epl/executor/testing';
import { firstTcpOp, record } from '../src/record';
import { A, F, bytes, shutRd } from './fixtures';

describe('record', () => {
  it('fills => and ~> on every step that had none, byte for byte elsewhere', () => {
    const { source, program, view } = shutRd();
    const out = record(source, [program], [view]);
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
    const out = record(source, [program], [viewOf({ ...r, wire: { captured: false, reason: 'no CAP_NET_RAW' } })]);
    expect(out).not.toContain('~>');
    expect(out).toContain('write 6 "a" => 1\n');
  });

  it('writes no ~> in a scenario without TCP sockets', () => {
    const source = 'pipe r w\nwrite w "hi"\nread r\n';
    const [p] = compile(source, 't.epl');
    expect(firstTcpOp(p, 'tcp')).toBe(Infinity);
    const out = record(source, [p], [viewOf(result([step({ fds: [3, 4] }), step({ ret: 2 }), step({ ret: 2, bytes: bytes('hi') })]))]);
    expect(out).toBe('pipe r w => ok\nwrite w "hi" => 2\nread r => "hi"\n');
  });

  it('a `pair` has a wire with tcp, none with unix', () => {
    const source = 'pair a b\nclose a\n';
    const build = () => compile(source, 't.epl')[0];
    const unix = record(source, [build()], [viewOf(result([step({ fds: [3, 4] }), step()], { family: 'unix' }))]);
    expect(unix).toBe('pair a b => ok\nclose a => 0\n');
    const tcp = record(source, [build()], [viewOf(result([step({ fds: [3, 4] }), step({ wire: [{ src: 0, dst: 1, flags: F | A, len: 0 }] })]))]);
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
    const [one, two] = compile(source, 'f.epl');
    const r1 = result([step({ fds: [20, 21] }), step({ fds: [22] }), step({ wire: [{ src: 0, dst: 1, flags: F | A, len: 0 }] })]);
    const r2 = result([step({ fds: [30, 31], wire: [{ src: 0, dst: 1, flags: 2, len: 0 }] }), step({ ret: -1, errno: 24 }), step()], { error: 'stopped' });
    const out = record(source, [one, two], [viewOf(r1), viewOf(r2)]);
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
    const [p] = compile(source, 't.epl');
    const r = result([step({ fds: [3, 4] }), step({ wire: [{ src: 0, dst: 1, flags: F | A, len: 0 }] })]);
    const out = record(source, [p], [viewOf(r)]);
    expect(out).toBe('tcp 5 6 => ok ~> none\nshutdown 5 WR => 0 ~> 5 > 6 F. # fin\n');
  });
});
