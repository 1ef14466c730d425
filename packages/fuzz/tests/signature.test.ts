import { EPOLL_FLAGS, Op } from '@epl/program';
import { SignatureSet, stepSignature, stepView, abstractField } from '../src/signature';
import { encode } from '../src/seq';

const { IN, OUT, RDHUP } = EPOLL_FLAGS;

describe('stepSignature', () => {
  it('is op x result x ready-flag sets x wire flags, without names or fd numbers', () => {
    expect(stepSignature(Op.write, { ret: -1, errno: 32, fds: [], wire: [] })).toBe('write EPIPE');
    expect(stepSignature(Op.read, { ret: 5, errno: 0, fds: [], wire: [] })).toBe('read n');
    const wait = { ret: 2, errno: 0, fds: [], ready: [{ slot: 0, events: OUT }, { slot: 1, events: IN | OUT | RDHUP }, { slot: 2, events: OUT }], wire: [] };
    expect(stepSignature(Op.wait, wait)).toBe('wait n OUT,IN|OUT|RDHUP');
    const moved = { ...wait, ready: [{ slot: 7, events: IN | OUT | RDHUP }, { slot: 3, events: OUT }] };
    expect(stepSignature(Op.wait, moved)).toBe(stepSignature(Op.wait, wait));
    expect(stepSignature(Op.close, { ret: 0, errno: 0, fds: [], wire: [{ src: 0, dst: 1, flags: 0x11, len: 0 }, { src: 1, dst: 0, flags: 0x10, len: 0 }] })).toBe('close 0 ~.,F.');
    expect(stepSignature(Op.wait, { ret: 0, errno: 0, fds: [], ready: [], wire: [] })).toBe('wait 0 none');
  });
});

describe('SignatureSet', () => {
  it('counts what is new and remembers who showed it first', () => {
    const s = new SignatureSet();
    expect(s.countNew(['a', 'a', 'b'])).toBe(2);
    expect(s.add(['a', 'b'], 3)).toBe(2);
    expect(s.add(['a', 'c'], 4)).toBe(1);
    expect(s.size).toBe(3);
    expect(s.entries()).toEqual([['a', 3], ['b', 3], ['c', 4]]);
  });
});

describe('stepView', () => {
  it('compares ready lists as sets, names by data, and leaves fds out', () => {
    const seq = encode([{ code: Op.pair, operands: ['5', '6'] }]);
    const a = stepView(seq, { ret: 2, errno: 0, fds: [7], ready: [{ slot: 0, events: OUT }, { slot: 1, events: IN }], wire: [] });
    const b = stepView(seq, { ret: 2, errno: 0, fds: [9], ready: [{ slot: 1, events: IN }, { slot: 0, events: OUT }], wire: [] });
    expect(a).toEqual(b);
    expect(a.ready).toBe('5: OUT, 6: IN');
    expect(abstractField('ready', { ret: 2, errno: 0, fds: [], ready: [{ slot: 1, events: IN }], wire: [] })).toBe('IN');
  });
});
