import { ProgramBuilder, SHUT } from '@epl/program';
import { formatExpect, formatObserved, formatReady, formatWire, quoteBytes, MAX_RECORDED_READ } from '../src/render';
import { A, F, IN, OUT, P, RDHUP, bytes, step } from './helpers';

describe('quoteBytes', () => {
  it('keeps printable ASCII and uses C escapes for the rest', () => {
    expect(quoteBytes(bytes('a"b\\c\n\t\r'))).toBe('"a\\"b\\\\c\\n\\t\\r"');
    expect(quoteBytes(Uint8Array.of(1, 0, 0xff))).toBe('"\\x01\\x00\\xff"');
  });
  it('writes \\x with two digits, so a following hex digit stays a character', () => {
    // EPL's \x takes at most two digits: "\x00a" is two bytes.
    expect(quoteBytes(Uint8Array.of(0, 0x61, 0x7a))).toBe('"\\x00az"');
  });
  it('truncates with ... past max', () => {
    expect(quoteBytes(bytes('abcdef'), 3)).toBe('"abc"...');
  });
});

describe('formatReady / formatWire', () => {
  const names = { names: ['5', '6', 'ep'] };
  it('writes a ready list as NAME: FLAGS, and an empty one as none', () => {
    expect(
      formatReady(names, [
        { slot: 0, events: IN | OUT | RDHUP },
        { slot: 1, events: OUT },
      ]),
    ).toBe('5: IN|OUT|RDHUP, 6: OUT');
    expect(formatReady(names, [])).toBe('none');
  });
  it('writes segments with tcpdump letters and len only when there is payload', () => {
    expect(
      formatWire(names, [
        { src: 1, dst: 0, flags: P | A, len: 1 },
        { src: 0, dst: 1, flags: A, len: 0 },
      ]),
    ).toBe('6 > 5 P. len 1, 5 > 6 .');
    expect(formatWire(names, [{ src: 0, dst: 1, flags: F | A, len: 0 }])).toBe('5 > 6 F.');
    expect(formatWire(names, [])).toBe('none');
  });
  it('names a slot the Program does not name #N', () => {
    expect(formatReady(names, [{ slot: 9, events: IN }])).toBe('#9: IN');
  });
});

describe('formatExpect', () => {
  it('writes each kind as a script would', () => {
    const p = { names: ['5'] };
    expect(formatExpect(p, { kind: 'ok' })).toBe('ok');
    expect(formatExpect(p, { kind: 'number', value: -3 })).toBe('-3');
    expect(formatExpect(p, { kind: 'errno', name: 'EPIPE', code: 32 })).toBe('EPIPE');
    expect(formatExpect(p, { kind: 'bytes', value: bytes('') })).toBe('""');
    expect(formatExpect(p, { kind: 'none' })).toBe('none');
    expect(formatExpect(p, { kind: 'ready', entries: [{ slot: 0, events: IN }] })).toBe('5: IN');
  });
});

describe('formatObserved', () => {
  const p = new ProgramBuilder()
    .op('tcp', ['5', '6'])
    .op('epoll', ['3'])
    .op('wait', ['3', 8, 0])
    .op('read', ['5', 1024])
    .op('write', ['6', 'a'])
    .op('shutdown', ['5', SHUT.WR])
    .op('connect_new', ['c', '5'])
    .build();
  it('creating statements report ok; failures their errno name', () => {
    expect(formatObserved(p, 0, step({ fds: [20, 21] }))).toBe('ok');
    expect(formatObserved(p, 1, step({ ret: -1, errno: 24 }))).toBe('EMFILE');
  });
  it('connect reports what connect() returned', () => {
    expect(formatObserved(p, 6, step({ ret: -1, errno: 115, fds: [30] }))).toBe('EINPROGRESS');
  });
  it('wait reports the ready list or none', () => {
    expect(formatObserved(p, 2, step({ ret: 1, ready: [{ slot: 0, events: OUT }] }))).toBe('5: OUT');
    expect(formatObserved(p, 2, step({ ret: 0, ready: [] }))).toBe('none');
  });
  it('read reports bytes, or the count when asked or when long', () => {
    expect(formatObserved(p, 3, step({ ret: 1, bytes: bytes('a') }))).toBe('"a"');
    expect(formatObserved(p, 3, step({ ret: 1, bytes: bytes('a') }), { kind: 'number', value: 2 })).toBe('1');
    const long = new Uint8Array(MAX_RECORDED_READ + 1);
    expect(formatObserved(p, 3, step({ ret: long.length, bytes: long }))).toBe(String(long.length));
  });
  it('other calls report their return value', () => {
    expect(formatObserved(p, 4, step({ ret: 1 }))).toBe('1');
    expect(formatObserved(p, 5, step({ ret: 0 }))).toBe('0');
    expect(formatObserved(p, 5, step({ ret: 0 }), { kind: 'ok' })).toBe('ok');
  });
});
