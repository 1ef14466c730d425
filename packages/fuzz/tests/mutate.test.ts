import { Generator, generateMany } from '../src/generate';
import { Mutator, MUTATIONS } from '../src/mutate';
import { Rng } from '../src/prng';
import { decode, isValid, seqLength } from '../src/seq';

describe('Mutator', () => {
  const corpus = generateMany('corpus', 40);
  const mutants = (seed: number) => {
    const m = new Mutator(new Rng(seed), new Generator(new Rng(seed, 9)), { maxLength: 60 });
    return Array.from({ length: 600 }, (_, i) => m.mutate(corpus[i % 40], corpus[(i * 7) % 40]));
  };

  it('yields mutants that still follow the naming rules, within the length bound, never empty', () => {
    for (const { seq } of mutants(1)) {
      expect(isValid(decode(seq))).toBe(true);
      expect(seqLength(seq)).toBeGreaterThan(0);
      expect(seqLength(seq)).toBeLessThanOrEqual(60);
    }
  });

  it('uses every mutation and changes the entry most of the time', () => {
    const all = mutants(2);
    const used = new Set(all.flatMap((m) => m.how));
    expect([...used].sort()).toEqual([...MUTATIONS].sort());
    const changed = all.filter((m, i) => Array.from(m.seq.code).join() !== Array.from(corpus[i % 40].code).join());
    expect(changed.length).toBeGreaterThan(all.length * 0.8);
  });

  it('is reproducible from its seed', () => {
    expect(mutants(3).map((m) => Array.from(m.seq.code).join())).toEqual(mutants(3).map((m) => Array.from(m.seq.code).join()));
  });
});
