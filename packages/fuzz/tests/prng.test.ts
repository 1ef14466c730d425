import { Rng, seedHash } from '../src/prng';

describe('Rng', () => {
  it('gives the same stream for the same seed and another for another seed', () => {
    const a = new Rng('42');
    const b = new Rng(42);
    const c = new Rng(43);
    const xs = Array.from({ length: 20 }, () => a.u32());
    expect(Array.from({ length: 20 }, () => b.u32())).toEqual(xs);
    expect(Array.from({ length: 20 }, () => c.u32())).not.toEqual(xs);
  });
  it('derives independent streams from one seed', () => {
    expect(new Rng(7, 0).u32()).not.toBe(new Rng(7, 1).u32());
  });
  it('keeps int, range and weighted within bounds and reaches every value', () => {
    const r = new Rng(1);
    const seen = new Set<number>();
    for (let i = 0; i < 2000; i++) {
      const x = r.range(-2, 2);
      expect(x).toBeGreaterThanOrEqual(-2);
      expect(x).toBeLessThanOrEqual(2);
      seen.add(x);
    }
    expect(seen.size).toBe(5);
    for (let i = 0; i < 500; i++) expect(r.weighted([0, 3, 0, 1])).not.toBe(0);
    expect(seedHash('a')).not.toBe(seedHash('b'));
  });
});
