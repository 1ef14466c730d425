import * as fs from 'node:fs';
import * as path from 'node:path';
import { sourceLine } from '@epl/program';
import { diagnose, tokenRange } from '../src/diagnostics';
import { foundingText } from './helpers';

const errors = path.join(__dirname, '..', '..', 'compiler', 'tests', 'fixtures', '_error_');
const fixtures = fs.readdirSync(errors).filter((f) => f.endsWith('.epl'));

/** The text a diagnostic's range covers (ranges are on one line). */
function covered(source: string, d: { range: { start: { line: number; character: number }; end: { character: number } } }): string {
  return sourceLine(source, d.range.start.line + 1).slice(d.range.start.character, d.range.end.character);
}

// What the range must cover, for the fixtures where the token is plain to see.
const TOKENS: Record<string, string> = {
  'extra-operand.epl': '7',
  'missing-operand.epl': '',
  'reserved-name.epl': 'ET',
  'sleep-limit.epl': '2001',
  'string-on-close.epl': '"x"',
  'unknown-errno.epl': 'EPIEP',
  'unknown-flag.epl': 'INN',
  'unknown-name.epl': '8',
  'unknown-statement.epl': 'frob',
};

describe('diagnose', () => {
  it('is empty for a file that compiles', () => {
    expect(diagnose(foundingText(), 'founding.epl')).toEqual([]);
  });

  it.each(fixtures)('locates %s at the compiler error, over its token', (name) => {
    const source = fs.readFileSync(path.join(errors, name), 'utf8');
    const [, line, col, message] = /^# error: (\d+):(\d+): (.*)$/m.exec(source)!;
    const [d] = diagnose(source, name);
    expect(d.message).toBe(message);
    expect(d.source).toBe('epl');
    expect(d.severity).toBe(1);
    expect(d.range.start).toEqual({ line: Number(line) - 1, character: Number(col) - 1 });
    expect(d.range.end.line).toBe(d.range.start.line);
    if (name in TOKENS) expect(covered(source, d)).toBe(TOKENS[name]);
  });
});

describe('tokenRange', () => {
  const source = 'write 5 "a\\qb" => EPIPE  ~> 5 > 6 FP.\nread 5 -12 -> x';
  it.each([
    [1, 1, 'write'],
    [1, 9, '"a\\qb"'],
    [1, 11, '\\q'],
    [1, 16, '=>'],
    [1, 19, 'EPIPE'],
    [1, 26, '~>'],
    [1, 35, 'FP.'],
    [1, 38, ''],
    [2, 8, '-12'],
    [2, 12, '->'],
    [3, 1, ''],
  ])('%i:%i covers %s', (line, col, token) => {
    const r = tokenRange(source, line, col);
    expect(sourceLine(source, line).slice(r.start.character, r.end.character)).toBe(token);
  });
});
