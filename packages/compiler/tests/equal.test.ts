import { ProgramBuilder } from '@epl/program';
import { programDiff, programsEqual } from '../src/equal';

const base = () => new ProgramBuilder('a.epl', 'a').op('tcp', ['5', '6']).op('write', ['5', 'x'], { expect: { kind: 'number', value: 1 } });

describe('programsEqual / programDiff', () => {
  it('ignores file, title, index and spans', () => {
    const a = base().build();
    const b = new ProgramBuilder('b.epl', 'b', 3)
      .op('tcp', ['5', '6'], { span: { line: 9, col: 9, offset: 9, end: 9 }, setup: true })
      .op('write', ['5', 'x'], { expect: { kind: 'number', value: 1 } })
      .build();
    expect(programsEqual(a, b)).toBe(true);
    expect(programDiff(a, b)).toBeUndefined();
  });

  it.each([
    ['code', base().op('close', ['5']).build(), 'code: 12 words vs 18'],
    [
      'a word',
      new ProgramBuilder()
        .op('tcp', ['5', '6'])
        .op('write', ['6', 'x'], { expect: { kind: 'number', value: 1 } })
        .build(),
      'code word 7: 0 vs 1',
    ],
    [
      'strings',
      new ProgramBuilder()
        .op('tcp', ['5', '6'])
        .op('write', ['5', 'y'], { expect: { kind: 'number', value: 1 } })
        .build(),
      'strings: 1 bytes vs 1, or different bytes',
    ],
    [
      'names',
      new ProgramBuilder()
        .op('tcp', ['a', 'b'])
        .op('write', ['a', 'x'], { expect: { kind: 'number', value: 1 } })
        .build(),
      'names: [5, 6] vs [a, b]',
    ],
    [
      'an expectation',
      new ProgramBuilder()
        .op('tcp', ['5', '6'])
        .op('write', ['5', 'x'], { expect: { kind: 'ok' } })
        .build(),
      `step 1: '=>' {"kind":"number","value":1} vs {"kind":"ok"}`,
    ],
    [
      'a wire',
      new ProgramBuilder()
        .op('tcp', ['5', '6'], { wire: { kind: 'none' } })
        .op('write', ['5', 'x'], { expect: { kind: 'number', value: 1 } })
        .build(),
      `step 0: '~>' undefined vs {"kind":"none"}`,
    ],
  ])('sees a different %s', (_, other, diff) => {
    expect(programsEqual(base().build(), other)).toBe(false);
    expect(programDiff(base().build(), other)).toBe(diff);
  });

  it('compares bytes, ready lists and segments by value', () => {
    const mk = (n: number) =>
      new ProgramBuilder()
        .op('pipe', ['r', 'w'], { wire: { kind: 'segments', segments: [{ src: 0, dst: 1, flags: 0x10, len: n }] } })
        .op('read', ['r', 1], { expect: { kind: 'bytes', value: Uint8Array.of(n) } })
        .op('wait', ['r', 64, 0], { expect: { kind: 'ready', entries: [{ slot: 0, events: 0x80000000 | n }] } })
        .build();
    expect(programsEqual(mk(1), mk(1))).toBe(true);
    expect(programDiff(mk(1), mk(2))).toMatch(/^step 0: '~>'/);
  });
});
