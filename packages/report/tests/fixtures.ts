// The founding SHUT_RD scenario: its source, compiled, and what 6.18 answers (by hand).
import { compile } from '@epl/compiler';
import { result, step, viewOf } from '@epl/executor/testing';
import { EPOLL_FLAGS } from '@epl/program';
import type { Program, RunResult } from '@epl/program';
import type { ResultView } from '@epl/executor';

export const { IN, OUT, ERR, HUP, RDHUP } = EPOLL_FLAGS;
export const ALL = IN | OUT | ERR | HUP | RDHUP;
/** TCP flag bits. */
export const F = 0x01;
export const S = 0x02;
export const R = 0x04;
export const P = 0x08;
export const A = 0x10;
export const bytes = (s: string) => Uint8Array.from(Buffer.from(s, 'latin1'));

export const SHUT_RD_SOURCE = `# shutdown(SHUT_RD) is local: nothing on the wire
tcp 5 6
epoll 3
add 3 5 IN|OUT|ERR|HUP|RDHUP
add 3 6 IN|OUT|ERR|HUP|RDHUP
wait   => 5: OUT, 6: OUT

shutdown 5 RD    # the peer cannot tell
wait
read 5 1 => ""
write 6 "a"
read 5 1
close 5
wait
`;

export function shutRdResult(): RunResult {
  return result([
    step({
      fds: [20, 22],
      wire: [
        { src: 0, dst: 1, flags: S, len: 0 },
        { src: 1, dst: 0, flags: S | A, len: 0 },
        { src: 0, dst: 1, flags: A, len: 0 },
      ],
    }),
    step({ fds: [23] }),
    step(),
    step(),
    step({
      ret: 2,
      ready: [
        { slot: 0, events: OUT },
        { slot: 1, events: OUT },
      ],
    }),
    step(),
    step({
      ret: 2,
      ready: [
        { slot: 0, events: IN | OUT | RDHUP },
        { slot: 1, events: OUT },
      ],
    }),
    step({ ret: 0, bytes: new Uint8Array(0) }),
    step({
      ret: 1,
      wire: [
        { src: 1, dst: 0, flags: P | A, len: 1 },
        { src: 0, dst: 1, flags: A, len: 0 },
      ],
    }),
    step({ ret: 1, bytes: bytes('a') }),
    step({ wire: [{ src: 0, dst: 1, flags: F | A, len: 0 }] }),
    step({ ret: 1, ready: [{ slot: 1, events: IN | OUT | RDHUP }] }),
  ]);
}

export function shutRd(): { source: string; program: Program; result: RunResult; view: ResultView } {
  const [program] = compile(SHUT_RD_SOURCE, 'founding.epl');
  const r = shutRdResult();
  return { source: SHUT_RD_SOURCE, program, result: r, view: viewOf(r) };
}
