import { Op } from '@epl/program';
import { generateMany } from '../src/generate';
import { decode, encode, isValid, repair, seqHash, toProgram } from '../src/seq';
import type { SeqOp } from '../src/seq';

const b = (s: string) => Uint8Array.from(Buffer.from(s, 'latin1'));

describe('decode / encode', () => {
  it('round-trips generated sequences word for word', () => {
    for (const s of generateMany('rt', 200)) {
      const back = encode(decode(s));
      expect(Array.from(back.code)).toEqual(Array.from(s.code));
      expect(Array.from(back.strings)).toEqual(Array.from(s.strings));
      expect(back.names).toEqual(s.names);
      expect(seqHash(back)).toBe(seqHash(s));
    }
  });
  it('allocates slots by first appearance and lays strings out in order', () => {
    const s = encode([
      { code: Op.pipe, operands: ['r', 'w'] },
      { code: Op.write, operands: ['w', b('ab')] },
      { code: Op.write, operands: ['w', b('c')] },
    ]);
    expect(s.names).toEqual(['r', 'w']);
    expect(Array.from(s.code.subarray(6, 9))).toEqual([Op.write, 1, 0]);
    expect(Array.from(s.code.subarray(12, 16))).toEqual([Op.write, 1, 2, 1]);
    expect(Buffer.from(s.strings).toString()).toBe('abc');
    expect(toProgram(s).steps).toHaveLength(3);
  });
});

describe('repair', () => {
  const ops: SeqOp[] = [
    { code: Op.read, operands: ['5', 1] }, // 5 never bound: dropped
    { code: Op.pair, operands: ['5', '6'] },
    { code: Op.pipe, operands: ['5', '7'] }, // 5 is open: dropped
    { code: Op.close, operands: ['5'] },
    { code: Op.pipe, operands: ['5', '7'] }, // 5 closed: rebinding is fine
    { code: Op.dup2, operands: ['6', '9'] }, // 9 never had a number: dropped
    { code: Op.dup2, operands: ['6', '7'] },
    { code: Op.listen, operands: ['8'] },
    { code: Op.connect, operands: ['10', '8'] }, // 10 not open: becomes connect_new
    { code: Op.connect_new, operands: ['10', '8'] }, // 10 open now: becomes connect
  ];
  it('drops ops that break the naming rules and picks connect by openness', () => {
    const r = repair(ops);
    expect(r.map((o) => o.code)).toEqual([Op.pair, Op.close, Op.pipe, Op.dup2, Op.listen, Op.connect_new, Op.connect]);
    expect(isValid(r)).toBe(true);
    expect(isValid(ops)).toBe(false);
  });
  it('refuses a creating op that binds one name twice', () => {
    expect(repair([{ code: Op.pair, operands: ['a', 'a'] }])).toEqual([]);
  });
});
