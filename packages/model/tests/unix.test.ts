import { truesize } from '../src/unix';
import { kernelDisagreements, model } from './helpers';

const PAIR = 'unix a b\nepoll e\nadd e a IN|OUT|ERR|HUP|RDHUP|PRI\nadd e b IN|OUT|ERR|HUP|RDHUP|PRI\n';

describe('unix stream sockets', () => {
  test('shutdown is mirrored: SHUT_RD here is SHUT_WR at the peer', () => {
    const m = model(`${PAIR}shutdown a RD\nwait e\nwrite b "x"\nread a`);
    expect(m.ready(5)).toBe('a: IN|OUT|RDHUP, b: OUT');
    expect(m.result(6)).toBe('EPIPE');
    expect(m.result(7)).toBe('""');
  });

  test('closing one end shuts the other both ways: HUP at once (TCP waits for an RST)', () => {
    const m = model(`${PAIR}close a\nwait e\nwrite b "x"\nread b`);
    expect(m.ready(5)).toBe('b: IN|OUT|HUP|RDHUP');
    expect([m.result(6), m.result(7)]).toEqual(['EPIPE', '""']);
  });

  test('closing with unread data gives the peer ECONNRESET, once', () => {
    const m = model(`${PAIR}write b "x"\nclose a\nwait e\nread b\nread b`);
    expect(m.ready(6)).toBe('b: IN|OUT|ERR|HUP|RDHUP');
    expect([m.result(7), m.result(8)]).toEqual(['ECONNRESET', '""']);
  });

  test('a read spans skbs', () => {
    expect(model('unix a b\nwrite a "ab"\nwrite a 3\nread b 4').result(3)).toBe('"abxx"');
  });

  test('skb truesize: a kmalloc bucket for the head plus pages (measured: OUT clears after 70, 42, 24, 13, 11 writes)', () => {
    expect([1, 192, 193, 704, 705, 1728, 1729, 3776, 4096].map(truesize)).toEqual([768, 768, 1280, 1280, 2304, 2304, 4352, 4352, 4864]);
  });

  test('OUT clears when the skbs queued at the peer pass a quarter of the send buffer', () => {
    const writes = Array.from({ length: 69 }, () => 'write a "x"').join('\n');
    const m = model(`unix a b\nepoll e\nadd e a OUT\n${writes}\nwait e\nwrite a "x"\nwait e\nread b 1\nwait e`);
    expect(m.ready(72)).toBe('a: OUT');
    expect(m.ready(74)).toBe('none');
    // Reading one byte frees one skb: back under the quarter, and the writer is woken.
    expect(m.ready(76)).toBe('a: OUT');
  });

  test('fill queues whole skbs until the send buffer is full: 6 of 36544 bytes', () => {
    const m = model('unix a b\nfill a\nwrite a "x"\ndrain b\nwrite a "x"');
    expect(m.result(1)).toBe('219264');
    expect(m.result(2)).toBe('EAGAIN');
    expect(m.result(3)).toBe('219264');
    expect(m.result(4)).toBe('1');
  });

  test('MSG_OOB: the last byte is out of band (PRI); a read with nothing yet drops it', () => {
    const m = model(`${PAIR}send a "xy" oob\nwait e\nread b 10\nwait e\nread b 10`);
    expect(m.ready(5)).toBe('a: OUT, b: IN|PRI|OUT');
    expect(m.result(6)).toBe('"x"');
    expect(m.ready(7)).toBe('a: OUT, b: IN|PRI|OUT');
    expect(m.result(8)).toBe('EAGAIN');
  });

  test('SO_LINGER is accepted and changes nothing', () => {
    const m = model('unix a b\nlinger a 0\nwrite b "x"\nclose a');
    expect(m.result(1)).toBe('0');
    expect(m.step(3).wire).toEqual([]);
  });

  test('every scenario above gives the same answers on the kernel', async () => {
    expect(await kernelDisagreements()).toEqual([]);
  });
});
