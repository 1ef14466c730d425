// Every generated sequence, mutant and shrunk candidate must be a Program the language can
// express: the compiler's print of it compiles back to an equal Program.
import { compile, print, programDiff } from '@epl/compiler';
import { generateMany, Generator } from '../src/generate';
import { Mutator } from '../src/mutate';
import { Rng } from '../src/prng';
import { toProgram } from '../src/seq';
import type { Seq } from '../src/seq';
import { canonicalNames } from '../src/shrink';
import { decode, encode } from '../src/seq';

function roundTrip(s: Seq): string | undefined {
  const p = toProgram(s, 'fuzz.epl', 'fuzz');
  const text = print(p);
  const back = compile(text, 'fuzz.epl');
  if (back.length !== 1) return `compiled to ${back.length} programs`;
  const d = programDiff(p, back[0]);
  return d === undefined ? undefined : `${d}\n${text}`;
}

describe('print -> compile round trip', () => {
  it('holds for thousands of generated sequences', () => {
    const bad: string[] = [];
    for (const s of generateMany('roundtrip', 3000)) {
      const d = roundTrip(s);
      if (d) bad.push(d);
    }
    expect(bad.slice(0, 3)).toEqual([]);
  });

  it('holds for mutants and for canonically renamed sequences', () => {
    const corpus = generateMany('rt-corpus', 50);
    const m = new Mutator(new Rng(4), new Generator(new Rng(5), { length: 8 }), { maxLength: 60 });
    const bad: string[] = [];
    for (let i = 0; i < 1500; i++) {
      const { seq } = m.mutate(corpus[i % 50], corpus[(i * 13) % 50]);
      for (const s of [seq, encode(canonicalNames(decode(seq)))]) {
        const d = roundTrip(s);
        if (d) bad.push(d);
      }
    }
    expect(bad.slice(0, 3)).toEqual([]);
  });

  it('holds for other lengths', () => {
    for (const length of [1, 5, 120]) {
      const g = new Generator(new Rng(length), { length });
      for (let i = 0; i < 100; i++) expect(roundTrip(g.generate())).toBeUndefined();
    }
  });
});
