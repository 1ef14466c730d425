import { EPOLL_FLAGS, Op } from '@epl/program';
import { SignatureSet, stepSignature, stepSignatureKey, stepView, abstractField } from '../src/signature';
import { encode } from '../src/seq';

const { IN, OUT, RDHUP } = EPOLL_FLAGS;

describe('stepSignature', () => {
  it('is op x result x ready-flag sets x wire flags, without names or fd numbers', () => {
    expect(stepSignature(Op.write, { ret: -1, errno: 32, fds: [], wire: [] })).toBe('write EPIPE');
    expect(stepSignature(Op.read, { ret: 5, errno: 0, fds: [], wire: [] })).toBe('read n');
    const wait = {
      ret: 2,
      errno: 0,
      fds: [],
      ready: [
        { slot: 0, events: OUT },
        { slot: 1, events: IN | OUT | RDHUP },
        { slot: 2, events: OUT },
      ],
      wire: [],
    };
    expect(stepSignature(Op.wait, wait)).toBe('wait n OUT,IN|OUT|RDHUP');
    const moved = {
      ...wait,
      ready: [
        { slot: 7, events: IN | OUT | RDHUP },
        { slot: 3, events: OUT },
      ],
    };
    expect(stepSignature(Op.wait, moved)).toBe(stepSignature(Op.wait, wait));
    expect(
      stepSignature(Op.close, {
        ret: 0,
        errno: 0,
        fds: [],
        wire: [
          { src: 0, dst: 1, flags: 0x11, len: 0 },
          { src: 1, dst: 0, flags: 0x10, len: 0 },
        ],
      }),
    ).toBe('close 0 ~F.');
    // Bare ACKs are left out (their timing is the delayed-ACK timer's), ACKs carrying data are not.
    expect(stepSignature(Op.read, { ret: 1, errno: 0, fds: [], wire: [{ src: 1, dst: 0, flags: 0x10, len: 0 }] })).toBe('read 1');
    expect(stepSignature(Op.write, { ret: 1, errno: 0, fds: [], wire: [{ src: 1, dst: 0, flags: 0x10, len: 5 }] })).toBe('write 1 ~.');
    const bare = { ret: 1, errno: 0, fds: [], wire: [{ src: 1, dst: 0, flags: 0x10, len: 0 }] };
    expect(stepSignatureKey(Op.read, bare)).toBe(stepSignatureKey(Op.read, { ...bare, wire: [] }));
    expect(stepSignature(Op.wait, { ret: 0, errno: 0, fds: [], ready: [], wire: [] })).toBe('wait 0 none');
  });
});

describe('SignatureSet', () => {
  const seq = encode([
    { code: Op.pipe, operands: ['3', '4'] },
    { code: Op.read, operands: ['3', 1] },
    { code: Op.read, operands: ['3', 1] },
  ]);
  const run = (errno: number) => ({
    steps: [
      { ret: 0, errno: 0, fds: [5, 6], wire: [] },
      { ret: -1, errno, fds: [], wire: [] },
      { ret: -1, errno, fds: [], wire: [] },
    ],
    kernel: 'k',
    family: 'tcp' as const,
    netns: true,
    wire: { captured: true },
  });
  it('counts what is new, adds runs and remembers who showed each first', () => {
    const s = new SignatureSet();
    expect(s.countNewInRun(seq, run(11))).toBe(2); // pipe 0, read EAGAIN (twice: counted once)
    expect(s.addRun(seq, run(11), 3)).toEqual(['pipe 0', 'read EAGAIN']);
    expect(s.countNewInRun(seq, run(11))).toBe(0);
    expect(s.addRun(seq, run(9), 4)).toEqual(['read EBADF']);
    expect(s.size).toBe(3);
    expect(s.entries()).toEqual([
      ['pipe 0', 3],
      ['read EAGAIN', 3],
      ['read EBADF', 4],
    ]);
  });
  it('keys agree with the text: same text, same key; ready sets in any order', () => {
    const a = {
      ret: 2,
      errno: 0,
      fds: [],
      ready: [
        { slot: 0, events: OUT },
        { slot: 1, events: IN },
      ],
      wire: [],
    };
    const b = {
      ...a,
      ready: [
        { slot: 4, events: IN },
        { slot: 2, events: OUT },
        { slot: 3, events: IN },
      ],
    };
    expect(stepSignatureKey(Op.wait, a)).toBe(stepSignatureKey(Op.wait, b));
    expect(stepSignatureKey(Op.wait, a)).not.toBe(stepSignatureKey(Op.wait, { ...a, ready: [{ slot: 0, events: OUT }] }));
    expect(stepSignatureKey(Op.read, { ret: 5, errno: 0, fds: [], wire: [] })).toBe(stepSignatureKey(Op.read, { ret: 9, errno: 0, fds: [], wire: [] }));
  });
});

describe('stepView', () => {
  it('compares ready lists as sets, names by data, and leaves fds out', () => {
    const seq = encode([{ code: Op.pair, operands: ['5', '6'] }]);
    const a = stepView(seq, {
      ret: 2,
      errno: 0,
      fds: [7],
      ready: [
        { slot: 0, events: OUT },
        { slot: 1, events: IN },
      ],
      wire: [],
    });
    const b = stepView(seq, {
      ret: 2,
      errno: 0,
      fds: [9],
      ready: [
        { slot: 1, events: IN },
        { slot: 0, events: OUT },
      ],
      wire: [],
    });
    expect(a).toEqual(b);
    expect(a.ready).toBe('5: OUT, 6: IN');
    expect(abstractField('ready', { ret: 2, errno: 0, fds: [], ready: [{ slot: 1, events: IN }], wire: [] })).toBe('IN');
  });
});
