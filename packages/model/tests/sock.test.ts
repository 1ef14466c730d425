import { kernelDisagreements, model } from './helpers';

describe('socket calls', () => {
  test('a socket call on something else is ENOTSOCK', () => {
    const m = model('pipe r w\nshutdown r WR\nlinger w 0\nsend w "x" oob');
    expect([m.result(1), m.result(2), m.result(3)]).toEqual(['ENOTSOCK', 'ENOTSOCK', 'ENOTSOCK']);
    expect(m.rules(1)).toContain('sock.not-socket');
  });

  test('connect takes the family of its target: a TCP listener gets a TCP socket, a nameless UNIX socket EINVAL', () => {
    const tcp = model('listen l\nconnect c l\naccept l -> s\nwrite c "a"\nread s');
    expect([tcp.result(1), tcp.result(2), tcp.result(4)]).toEqual(['EINPROGRESS', '0', '"a"']);
    const unix = model('unix a b\nconnect c a', 'unix');
    expect(unix.result(1)).toBe('EINVAL');
    expect(unix.rules(1)).toContain('sock.connect-unix');
  });

  test('connect to something not a socket is ENOTSOCK before anything else (getsockname fails)', () => {
    const m = model('pipe r w\nconnect c r');
    expect(m.result(1)).toBe('ENOTSOCK');
    expect(m.rules(1)).toContain('sock.getsockname');
  });

  test('pair takes the family', () => {
    expect(model('pair a b', 'unix').step(0).wire).toHaveLength(0);
    expect(model('pair a b', 'tcp').wire(0)).toBe('a > b S, b > a S., a > b .');
  });

  test('every scenario above gives the same answers on the kernel', async () => {
    expect(await kernelDisagreements()).toEqual([]);
  });
});
