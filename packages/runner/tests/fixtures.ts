// The founding SHUT_RD scenario, by hand: its source, Program and what 6.18 answers.
import { SHUT } from '@epl/program';
import type { Program, RunResult } from '@epl/program';
import { A, ALL, F, IN, OUT, P, RDHUP, SourceProgram, bytes, result, step } from './helpers';

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

export function shutRd(): { source: string; program: Program; result: RunResult } {
  const source = SHUT_RD_SOURCE;
  const p = new SourceProgram(source, 'founding.epl', 'shutdown RD')
    .op('tcp', ['5', '6'], 'tcp 5 6')
    .op('epoll', ['3'], 'epoll 3')
    .op('add', ['3', '5', ALL, '5'], 'add 3 5 IN|OUT|ERR|HUP|RDHUP')
    .op('add', ['3', '6', ALL, '6'], 'add 3 6 IN|OUT|ERR|HUP|RDHUP')
    .op('wait', ['3', 16, 0], 'wait', {
      whole: 'wait   => 5: OUT, 6: OUT',
      expect: {
        kind: 'ready',
        entries: [
          { slot: 0, events: OUT },
          { slot: 1, events: OUT },
        ],
      },
    })
    .op('shutdown', ['5', SHUT.RD], 'shutdown 5 RD')
    .op('wait', ['3', 16, 0], 'wait')
    .op('read', ['5', 1], 'read 5 1', { whole: 'read 5 1 => ""', expect: { kind: 'bytes', value: new Uint8Array(0) } })
    .op('write', ['6', 'a'], 'write 6 "a"')
    .op('read', ['5', 1], 'read 5 1')
    .op('close', ['5'], 'close 5')
    .op('wait', ['3', 16, 0], 'wait')
    .build();
  const r = result([
    step({
      fds: [20, 22],
      wire: [
        { src: 0, dst: 1, flags: 0x02, len: 0 },
        { src: 1, dst: 0, flags: 0x12, len: 0 },
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
  return { source, program: p, result: r };
}
