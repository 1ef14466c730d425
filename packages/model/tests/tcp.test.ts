import { isBulk } from '../src';
import { kernelDisagreements, model } from './helpers';

const PAIR = 'tcp 5 6\nepoll 3\nadd 3 5 IN|OUT|ERR|HUP|RDHUP|PRI\nadd 3 6 IN|OUT|ERR|HUP|RDHUP|PRI\n';

describe('TCP over loopback', () => {
  test('the handshake is on the wire of the creating step', () => {
    const m = model('tcp 5 6');
    expect(m.wire(0)).toBe('5 > 6 S, 6 > 5 S., 5 > 6 .');
  });

  test('SHUT_RD is local: nothing on the wire, the peer cannot tell, data still arrives', () => {
    const m = model(`${PAIR}shutdown 5 RD\nwait\nread 5 1\nwrite 6 "a"\nread 5 1`);
    expect(m.wire(4)).toBe('none');
    expect(m.ready(5)).toBe('5: IN|OUT|RDHUP, 6: OUT');
    expect(m.result(6)).toBe('""');
    expect(m.wire(7)).toBe('6 > 5 P. len 1, 5 > 6 .');
    expect(m.result(8)).toBe('"a"');
  });

  test('the ACK of a FIN waits on the delayed-ACK timer (pingpong): it may land in this step or a later one', () => {
    const m = model(`${PAIR}shutdown 5 WR\nwait\nwrite 5 "a"\nread 6 1`);
    expect(m.wire(4)).toBe('5 > 6 F.');
    expect(m.step(4).mayLand.map((s) => [m.program.names[s.src], m.program.names[s.dst], s.timing])).toEqual([['6', '5', 'delayed']]);
    expect(m.ready(5)).toBe('5: OUT, 6: IN|OUT|RDHUP');
    expect([m.result(6), m.result(7)]).toEqual(['EPIPE', '""']);
  });

  test('data to a closed peer brings an RST, after which every flag fires', () => {
    const m = model(`${PAIR}close 5\nwrite 6 "a"\nwait\nread 6\nread 6\nwrite 6 "a"`);
    expect(m.wire(4)).toBe('5 > 6 F.');
    expect(m.wire(5)).toBe('6 > 5 P. len 1, 5 > 6 R');
    expect(m.ready(6)).toBe('6: IN|OUT|ERR|HUP|RDHUP');
    // 6 had the FIN (SOCK_DONE): reads say end of file before the error; the error (EPIPE: 6 was in CLOSE_WAIT) goes to the write.
    expect([m.result(7), m.result(8), m.result(9)]).toEqual(['""', '""', 'EPIPE']);
  });

  test('close with unread data sends RST, not FIN', () => {
    const m = model(`${PAIR}write 5 "a"\nclose 6\nwait\nread 5`);
    expect(m.wire(5)).toBe('6 > 5 R.');
    expect(m.rules(5)).toContain('tcp.rst-unread');
    expect(m.ready(6)).toBe('5: IN|OUT|ERR|HUP|RDHUP');
    expect(m.result(7)).toBe('ECONNRESET');
  });

  test('SO_LINGER {1, 0}: close aborts with RST', () => {
    const m = model(`${PAIR}linger 5 0\nclose 5\nread 6`);
    expect(m.wire(5)).toBe('5 > 6 R.');
    expect(m.result(6)).toBe('ECONNRESET');
  });

  test("Nagle's rule holds a small write while a small segment is unacknowledged; data the other way releases it", () => {
    const m = model('tcp 5 6\nwrite 5 "a"\nwrite 6 "b"\nwrite 5 "c"\nwrite 6 "dd"\nwrite 6 "ee"\nwrite 6 "ff"\nwrite 5 "x"\nread 5');
    expect(m.wire(3)).toBe('5 > 6 P. len 1'); // 6 is pingpong now: its ACK waits
    expect(m.wire(5)).toBe('none');
    expect(m.rules(5)).toContain('tcp.send-nagle');
    expect(m.wire(7)).toBe('5 > 6 P. len 1, 6 > 5 P. len 4');
    expect(m.result(8)).toBe('"bddeeff"');
  });

  test("a bulk write is cut into halves of the peer's window: after 2 × 32768 Nagle holds nothing, after 32741 + 32741 + 54 it holds", () => {
    // 6 (accepted) knows 5's full window (65536); 5 (connect()ed) only the SYN-ACK's (65483).
    const accepted = model('tcp 5 6\nwrite 6 65536\nwrite 6 1');
    expect(accepted.wire(1)).toBe('6 > 5 bulk');
    expect(accepted.wire(2)).toBe('6 > 5 P. len 1');
    const connected = model('tcp 5 6\nwrite 5 65536\nwrite 5 1\nread 6 8');
    expect(connected.wire(2)).toBe('none');
    expect(connected.rules(2)).toContain('tcp.send-nagle');
    // Two segments (32741 + 54) unacknowledged: more than one, so the read ACKs, and the held byte goes.
    expect(connected.wire(3)).toBe('6 > 5 ., 5 > 6 P. len 1');
  });

  test("a bulk write nobody acknowledged fills the peer's window: what follows (urgent data, a FIN) waits for its next ACK", () => {
    // 6 answered data with data: pingpong, it acknowledges nothing of the 64 KiB.
    const m = model(
      `${PAIR}write 5 "a"\nwrite 6 "ab"\nwrite 5 65536\nsend 5 "x" oob\nwrite 5 "a"\nshutdown 5 WR\nwait\nwrite 6 100\nread 6 65536\nread 6 8\nread 6 1\nread 6`,
    );
    expect([m.wire(7), m.wire(8), m.wire(9)]).toEqual(['none', 'none', 'none']);
    expect(m.rules(7)).toContain('tcp.send-window-full');
    expect(m.rules(9)).toContain('tcp.fin-queued');
    expect(m.ready(10)).toBe('5: IN|OUT, 6: IN|OUT');
    // 6's data carries the ACK: the urgent byte, the byte after it and the FIN leave together.
    expect(m.wire(11)).toBe('6 > 5 P. len 100, 5 > 6 FP.U len 2');
    // A read stops before the urgent byte, the next skips it; then the FIN: end of file.
    expect([m.result(13), m.result(14), m.result(15)]).toEqual(['"x"', '"a"', '""']);
  });

  test('the quick-ACK budget comes from the first segment: 7 immediate ACKs after 4096 bytes', () => {
    const writes = Array.from({ length: 9 }, () => 'write 5 4096').join('\n');
    const m = model(`tcp 5 6\n${writes}`);
    const acked = m.prediction.steps.slice(1).map((s) => s.wire.some((w) => !isBulk(w) && w.flags === 0x10 && w.timing === 'now'));
    expect(acked).toEqual([true, true, true, true, true, true, true, false, false]);
  });

  test('MSG_OOB: the last byte is urgent (PRI); a read stops before it, the next skips it', () => {
    const m = model(`${PAIR}write 5 "ab"\nsend 5 "xy" oob\nwait\nread 6 10\nwait\nread 6 10\nwait`);
    expect(m.wire(5)).toBe('5 > 6 P.U len 2, 6 > 5 .');
    expect(m.ready(6)).toBe('5: OUT, 6: IN|PRI|OUT');
    expect(m.result(7)).toBe('"abx"');
    expect(m.ready(8)).toBe('5: OUT, 6: PRI|OUT');
    expect(m.result(9)).toBe('EAGAIN');
    expect(m.ready(10)).toBe('5: OUT, 6: OUT');
  });

  test('connect: EINPROGRESS on loopback, established at once; a second connect says 0, a third EISCONN', () => {
    const m = model('listen l\nconnect c l\nconnect c l\nconnect c l\naccept l -> b\naccept l -> d');
    expect(m.wire(1)).toBe('c > l S, l > c S., c > l .');
    expect([m.result(1), m.result(2), m.result(3)]).toEqual(['EINPROGRESS', '0', 'EISCONN']);
    expect([m.result(4), m.result(5)]).toEqual(['0', 'EAGAIN']);
  });

  test('a connect nobody listens for is refused at once (its error waits in the socket)', () => {
    const m = model('tcp 5 6\nepoll 3\nconnect x 6\nadd 3 x IN|OUT|ERR|HUP|RDHUP\nwait\nread x\nconnect x 6');
    expect(m.result(2)).toBe('EINPROGRESS');
    expect(m.ready(4)).toBe('x: IN|OUT|ERR|HUP|RDHUP');
    expect(m.result(5)).toBe('ECONNREFUSED');
    expect(m.result(6)).toBe('ECONNABORTED');
  });

  test('closing a listener resets the connections it had not handed out', () => {
    const m = model('listen l\nconnect a l\nclose l\nread a');
    expect(m.wire(2)).toBe('l > a R.');
    expect(m.result(3)).toBe('ECONNRESET');
  });

  test('fill: a range (autotuning); the reader gets a window of it, the writer is not writable until the reader drains', () => {
    const m = model(`${PAIR}fill 5\nwait\nread 6 10\ndrain 6\nwait`);
    expect(m.step(4).result.range).toBeDefined();
    expect(m.ready(5)).toBe('6: IN|OUT');
    expect(m.result(6)).toBe('"xxxxxxxxxx"');
    expect(m.step(7).result.range).toBeDefined();
    expect(m.ready(8)).toBe('5: OUT, 6: OUT');
  });

  test('every scenario above gives the same answers on the kernel', async () => {
    expect(await kernelDisagreements()).toEqual([]);
  });
});
