import { OP_WORDS, Op } from '../src/opcodes';
import { ProgramBuilder, opCount, stringOperand, word } from '../src/program';

describe('ProgramBuilder', () => {
  it('lays ops out as fixed-width words with names as slots and strings in a side table', () => {
    const p = new ProgramBuilder().op('tcp', ['5', '6']).op('write', ['6', 'a\n']).op('close', ['5']).build();
    expect(opCount(p)).toBe(3);
    expect(p.code.length).toBe(3 * OP_WORDS);
    expect(word(p, 0, 0)).toBe(Op.tcp);
    expect(p.names).toEqual(['5', '6']);
    expect(word(p, 1, 1)).toBe(1);
    expect(Buffer.from(stringOperand(p, 1, 2)).toString()).toBe('a\n');
    expect(word(p, 2, 1)).toBe(0);
  });
  it('rejects operands of the wrong shape', () => {
    expect(() => new ProgramBuilder().op('close', [5])).toThrow(/name/);
    expect(() => new ProgramBuilder().op('close', ['a', 'b'])).toThrow(/takes 1/);
  });
});

import { SourceError, locate } from '../src/source-error';

describe('SourceError', () => {
  it('names file:line:col, quotes the line and points at the spot', () => {
    const src = 'tcp 5 6\nshutdown 8 RD\n';
    const e = new SourceError('seed.epl', src, { line: 2, col: 10 }, "unknown name '8'");
    expect(e.frame).toBe("seed.epl:2:10: unknown name '8'\n  shutdown 8 RD\n           ^");
    expect(e.line).toBe(2);
    expect(e).toBeInstanceOf(Error);
  });
  it('locates offsets', () => {
    expect(locate('ab\ncd', 4)).toEqual({ line: 2, col: 2 });
  });
});
