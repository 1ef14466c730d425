import { OPS, OP_WORDS, Op, opSpec, operandWords } from '../src/opcodes';

describe('opcode table', () => {
  it('has unique codes and names, and every op fits in OP_WORDS', () => {
    expect(new Set(OPS.map((o) => o.code)).size).toBe(OPS.length);
    expect(new Set(OPS.map((o) => o.name)).size).toBe(OPS.length);
    for (const o of OPS) expect(1 + operandWords(o)).toBeLessThanOrEqual(OP_WORDS);
  });
  it('looks ops up by code and by name', () => {
    for (const o of OPS) {
      expect(opSpec(o.code)?.name).toBe(o.name);
      expect(Op[o.name]).toBe(o.code);
    }
    expect(Op.dup).toBe(13);
    expect(opSpec(Op.dup)?.name).toBe('dup');
    expect(opSpec(0)).toBeUndefined();
    expect(opSpec(9999)).toBeUndefined();
  });
});
