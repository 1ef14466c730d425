// Whatever the input, compile() returns Programs or throws a SourceError: never another
// exception (no TypeError from a half-built node, no nearley error text).
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import fc from 'fast-check';
import { SourceError } from '@epl/program';
import { compile } from '../src/compile';

function survives(source: string): boolean {
  try {
    compile(source, 'fuzz.epl');
    return true;
  } catch (e) {
    if (e instanceof SourceError && !e.reason.includes('\n')) return true;
    throw e;
  }
}

const seeds = [join(__dirname, 'fixtures'), join(__dirname, '../../dsl/tests/corpus')].flatMap((d) =>
  readdirSync(d)
    .filter((f) => f.endsWith('.epl'))
    .map((f) => readFileSync(join(d, f), 'utf8')),
);
const PIECES = [
  '"',
  '{',
  '}',
  ';',
  '\n',
  '|',
  '-',
  '>',
  '->',
  '=>',
  '~>',
  '\\',
  '#',
  ':',
  ',',
  '.',
  '0',
  '7',
  'x',
  'S.',
  'IN',
  'none',
  'scenario',
  'wait',
  '\0',
  'é',
  ' ',
];

type Edit = { kind: 'delete' | 'insert' | 'swap' | 'dropToken' | 'dupToken' | 'swapTokens'; at: number; piece: number; len: number };
const edit: fc.Arbitrary<Edit> = fc.record({
  kind: fc.constantFrom('delete', 'insert', 'swap', 'dropToken', 'dupToken', 'swapTokens'),
  at: fc.nat(),
  piece: fc.nat(PIECES.length - 1),
  len: fc.integer({ min: 1, max: 4 }),
});

function apply(src: string, e: Edit): string {
  const at = src.length ? e.at % src.length : 0;
  switch (e.kind) {
    case 'delete':
      return src.slice(0, at) + src.slice(at + e.len);
    case 'insert':
      return src.slice(0, at) + PIECES[e.piece] + src.slice(at);
    case 'swap':
      return src.slice(0, at) + src.charAt(at + 1) + src.charAt(at) + src.slice(at + 2);
    default: {
      const tokens = src.split(/(\s+)/);
      const i = tokens.length ? e.at % tokens.length : 0;
      if (e.kind === 'dropToken') tokens.splice(i, 1);
      else if (e.kind === 'dupToken') tokens.splice(i, 0, tokens[i] ?? '');
      else {
        const j = (i + 2) % Math.max(1, tokens.length);
        [tokens[i], tokens[j]] = [tokens[j], tokens[i]];
      }
      return tokens.join('');
    }
  }
}

describe('robustness', () => {
  it('random bytes (as UTF-8 and as Latin-1)', () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 200 }), (b) => survives(Buffer.from(b).toString('utf8')) && survives(Buffer.from(b).toString('latin1'))),
      { numRuns: 1500 },
    );
  });

  it('random text made of the language’s own pieces', () => {
    fc.assert(
      fc.property(fc.array(fc.constantFrom(...PIECES), { maxLength: 60 }), (ps) => survives(ps.join(' '))),
      { numRuns: 1500 },
    );
  });

  it('random edits of valid files (characters and tokens deleted, inserted, swapped)', () => {
    fc.assert(
      fc.property(fc.nat(seeds.length - 1), fc.array(edit, { minLength: 1, maxLength: 4 }), (s, edits) => survives(edits.reduce(apply, seeds[s]))),
      { numRuns: 2500 },
    );
  });
});
