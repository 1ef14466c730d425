// Golden fixtures: fixtures/NAME.epl compiles to what fixtures/NAME.golden shows (every op's
// words, setup flag and printed form, per scenario); fixtures/_error_/NAME.epl fails with the
// error its first line names (`# error: LINE:COL: message`). Regenerate goldens after a
// deliberate change with: UPDATE_GOLDEN=1 npx jest tests/fixtures.test.ts
import { existsSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { OP_WORDS, SourceError, opCount, type Program } from '@epl/program';
import { compile } from '../src/compile';
import { print } from '../src/print';

const dir = join(__dirname, 'fixtures');
const errDir = join(dir, '_error_');
const valid = readdirSync(dir)
  .filter((f) => f.endsWith('.epl'))
  .sort();
const invalid = readdirSync(errDir)
  .filter((f) => f.endsWith('.epl'))
  .sort();

/** A readable, complete dump of what a file compiles to. */
function dump(programs: Program[]): string {
  return (
    programs
      .map((p) => {
        const lines = [`== ${p.index} ${JSON.stringify(p.title)} names: ${p.names.join(' ')}`];
        const printed = print(p)
          .split('\n')
          .filter((l) => l !== '' && !l.startsWith('#') && !l.startsWith('scenario ') && l !== '}');
        for (let i = 0; i < opCount(p); i++) {
          const words = Array.from(p.code.subarray(i * OP_WORDS, (i + 1) * OP_WORDS)).join(' ');
          const s = p.steps[i];
          lines.push(`${s.setup ? 'S' : ' '} ${s.span.line}:${s.span.col} [${words}] ${printed[i].trim()}`);
        }
        return lines.join('\n');
      })
      .join('\n') + '\n'
  );
}

describe('golden fixtures', () => {
  it.each(valid)('%s', (f) => {
    const programs = compile(readFileSync(join(dir, f), 'utf8'), f);
    const golden = join(dir, f.replace(/\.epl$/, '.golden'));
    const text = dump(programs);
    // A new fixture gets its golden written locally; in CI a missing golden is a failure, never a pass.
    if (!existsSync(golden) && process.env.CI) throw new Error(`${golden} is missing: run UPDATE_GOLDEN=1 npx jest tests/fixtures.test.ts and commit it`);
    if (process.env.UPDATE_GOLDEN || !existsSync(golden)) writeFileSync(golden, text);
    expect(text).toBe(readFileSync(golden, 'utf8'));
  });
});

describe('error fixtures', () => {
  it.each(invalid)('%s', (f) => {
    const source = readFileSync(join(errDir, f), 'utf8');
    const want = /^# error: (.*)$/m.exec(source)?.[1];
    expect(want).toBeDefined();
    let err: unknown;
    try {
      compile(source, f);
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(SourceError);
    const e = err as SourceError;
    expect(`${e.line}:${e.col}: ${e.reason}`).toBe(want);
  });
});
