import { append, exact, length, NO_BYTES, nonEmpty, take, takeAll, xRun } from '../src/bytes';

const text = (b: Uint8Array | null): string => (b ? Buffer.from(b).toString('latin1') : '<unknown>');

describe('bytes', () => {
  test('take reads across known chunks and leaves the rest', () => {
    const q = append(append(NO_BYTES, Buffer.from('ab')), Buffer.from('cde'));
    const t = take(q, 3);
    expect(text(t.bytes)).toBe('abc');
    expect(t.count).toEqual(exact(3));
    expect(text(takeAll(t.rest).bytes)).toBe('de');
  });

  test('an exact run of x is known byte for byte', () => {
    const t = take([xRun(3), Buffer.from('yz')], 10);
    expect(text(t.bytes)).toBe('xxxyz');
    expect(t.rest).toEqual([]);
  });

  test('a read past the low bound of a ranged run has a ranged count and unknown bytes', () => {
    const t = take([xRun(100, 300)], 200);
    expect(t.bytes).toBeNull();
    expect(t.count).toEqual({ lo: 100, hi: 200 });
    expect(length(t.rest)).toEqual({ lo: 0, hi: 100 });
  });

  test('a read within the low bound of a ranged run is exact', () => {
    const t = take([xRun(100, 300)], 10);
    expect(text(t.bytes)).toBe('x'.repeat(10));
    expect(length(t.rest)).toEqual({ lo: 90, hi: 290 });
  });

  test('empty chunks are not queued', () => {
    expect(append(NO_BYTES, new Uint8Array(0))).toBe(NO_BYTES);
    expect(nonEmpty(NO_BYTES)).toBe(false);
    expect(nonEmpty([xRun(0, 5)])).toBe(true);
  });
});
