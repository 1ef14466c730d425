import { ProgramBuilder, SHUT } from '@epl/program';
import { result, step, viewOf } from '@epl/executor/testing';
import { describeStep, stepLine, transcript } from '../src/transcript';
import { ALL, OUT, shutRd } from './fixtures';

describe('transcript', () => {
  it('reads like strace with the script names, and tcpdump lines under the step', () => {
    const { program, view } = shutRd();
    expect(transcript(program, view)).toBe(
      [
        'tcp(5<fd 20>, 6<fd 22>)                 = 0',
        '  5 > 6 [S]',
        '  6 > 5 [S.]',
        '  5 > 6 [.]',
        'epoll_create1(0)                        = 3<fd 23>',
        'epoll_ctl(3, EPOLL_CTL_ADD, 5, {IN|OUT|ERR|HUP|RDHUP, data=5}) = 0',
        'epoll_ctl(3, EPOLL_CTL_ADD, 6, {IN|OUT|ERR|HUP|RDHUP, data=6}) = 0',
        'epoll_wait(3, {5: OUT, 6: OUT}, 64, 0)  = 2',
        'shutdown(5, SHUT_RD)                    = 0',
        'epoll_wait(3, {5: IN|OUT|RDHUP, 6: OUT}, 64, 0) = 2',
        'read(5, "", 1)                          = 0',
        'write(6, "a", 1)                        = 1',
        '  6 > 5 [P.] len 1',
        '  5 > 6 [.]',
        'read(5, "a", 1)                         = 1',
        'close(5)                                = 0',
        '  5 > 6 [F.]',
        'epoll_wait(3, {6: IN|OUT|RDHUP}, 64, 0) = 1',
        '',
      ].join('\n'),
    );
  });

  it('stops at upTo, indents, and can leave the wire out', () => {
    const { program, view } = shutRd();
    expect(transcript(program, view, { upTo: 1, indent: '> ', wire: false })).toBe(
      '> tcp(5<fd 20>, 6<fd 22>)                 = 0\n> epoll_create1(0)                        = 3<fd 23>\n',
    );
  });

  it('shows errors as -1 ERRNO and a run error at the end', () => {
    const p = new ProgramBuilder().op('pipe', ['r', 'w']).op('close', ['w']).op('write', ['w', 'x']).op('del', ['r', 'w']).build();
    const r = result([step({ fds: [4, 5] }), step(), step({ ret: -1, errno: 9 })], { error: 'malformed op 3' });
    expect(transcript(p, viewOf(r))).toBe(
      'pipe2([r<fd 4>, w<fd 5>], O_NONBLOCK)   = 0\nclose(w)                                = 0\nwrite(w, "x", 1)                        = -1 EBADF\nerror: malformed op 3\n',
    );
  });

  it('says how many segments of a step were not kept', () => {
    const p = new ProgramBuilder().op('tcp', ['a', 'b']).build();
    const r = result([step({ fds: [3, 4], wire: [{ src: 0, dst: 1, flags: 0x02, len: 0 }], wireDropped: 2 })]);
    expect(transcript(p, viewOf(r))).toBe('tcp(a<fd 3>, b<fd 4>)                   = 0\n  a > b [S]\n  (2 more segments not kept)\n');
  });

  it('renders every op kind', () => {
    const p = new ProgramBuilder()
      .op('socket', ['s'])
      .op('listen', ['l'])
      .op('connect', ['s', 'l'])
      .op('accept', ['l', 'b'])
      .op('eventfd', ['e', 3])
      .op('dup2', ['s', 'b'])
      .op('mod', ['ep', 's', OUT, 'x'])
      .op('write_n', ['s', 40])
      .op('send_oob', ['s', '!'])
      .op('fill', ['s'])
      .op('drain', ['b'])
      .op('linger', ['s', 0])
      .op('sleep', [5])
      .op('shutdown', ['s', SHUT.RDWR])
      .op('shutdown', ['s', 7])
      .op('unix', ['u', 'v'])
      .op('pair', ['m', 'n'])
      .op('add', ['ep', 's', ALL, 's'])
      .build();
    const lines = p.steps.map((_, i) => describeStep(p, i, step({ fds: [9, 10] }), 'unix').join(' = '));
    expect(lines).toEqual([
      'socket(AF_INET, SOCK_STREAM|SOCK_NONBLOCK, 0) = s<fd 9>',
      'listen(l<fd 9>) = 0',
      'connect(s, l) = 0',
      'accept4(l, NULL, NULL, SOCK_NONBLOCK) = b<fd 9>',
      'eventfd2(3, EFD_NONBLOCK) = e<fd 9>',
      'dup2(s, b) = b<fd 9>',
      'epoll_ctl(ep, EPOLL_CTL_MOD, s, {OUT, data=x}) = 0',
      'write(s, "xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx"..., 40) = 0',
      'send(s, "!", 1, MSG_OOB) = 0',
      'fill(s) = 0',
      'drain(b) = 0',
      'setsockopt(s, SOL_SOCKET, SO_LINGER, {l_onoff=1, l_linger=0}) = 0',
      'sleep(5 ms) = 0',
      'shutdown(s, SHUT_RDWR) = 0',
      'shutdown(s, 7) = 0',
      'socketpair(AF_UNIX, SOCK_STREAM|SOCK_NONBLOCK, 0, [u<fd 9>, v<fd 10>]) = 0',
      'socketpair(AF_UNIX, SOCK_STREAM|SOCK_NONBLOCK, 0, [m<fd 9>, n<fd 10>]) = 0',
      'epoll_ctl(ep, EPOLL_CTL_ADD, s, {IN|OUT|ERR|HUP|RDHUP, data=s}) = 0',
    ]);
    // `pair` takes the family of the run.
    expect(describeStep(p, 16, step({ fds: [9, 10] }), 'tcp6')[0]).toBe('tcp6(m<fd 9>, n<fd 10>)');
    expect(stepLine(p, 5, step({ ret: -1, errno: 9 }), 'tcp')).toBe('dup2(s, b)                              = -1 EBADF');
    expect(describeStep(p, 2, step({ ret: -1, errno: 115 }), 'tcp')[1]).toBe('-1 EINPROGRESS');
  });
});
