import { compile } from '@epl/compiler';
import type { RunResult, StepResult } from '@epl/program';
import { check } from '@epl/runner';
import { attemptText, judge } from '../src/judge';

const source = 'pipe r w\nwrite w "x" => 2\n';
const [program] = compile(source, 'j.epl');

const step = (ret: number, errno = 0): StepResult => ({ ret, errno, fds: [], wire: [] });
const run = (steps: StepResult[], error?: string): RunResult => ({
  steps,
  kernel: 'test',
  family: 'tcp',
  netns: false,
  wire: { captured: false, reason: 'not captured' },
  ...(error !== undefined ? { error } : {}),
});

describe('judge', () => {
  it('passes a scenario whose expectations hold', () => {
    expect(judge(program, { result: run([step(0), step(2)]) }, source)).toEqual({ status: 'passed', wireUnchecked: 0 });
  });

  it('fails with the located, quoted step and expected vs got', () => {
    const v = judge(program, { result: run([step(0), step(1)]) }, source);
    expect(v.status).toBe('failed');
    expect(v.message).toMatch(/^j\.epl:2:1: /);
    expect(v.message).toContain('\n  write w "x" => 2\n  ^');
    expect(v.message).toMatch(/expected:\s+=> 2\n\s+got:\s+=> 1/);
    expect(v.details).toEqual({ failures: [expect.objectContaining({ line: 2, col: 1, kind: 'result' })] });
  });

  it('fails a run that stopped, saying where and why', () => {
    const v = judge(program, { result: run([step(0)], 'the worker died') }, source);
    expect(v.status).toBe('failed');
    expect(v.message).toMatch(/^j\.epl:2:1: .*the worker died/m);
    expect(v.details).toEqual({ failures: [], error: 'the worker died' });
  });

  it('takes the check when the caller has it', () => {
    const r = run([step(0), step(1)]);
    const c = check(program, r);
    expect(judge(program, { result: r, check: c }, source)).toEqual(judge(program, { result: r }, source));
  });

  it("writes an earlier attempt's failure as it writes a failed verdict", () => {
    const r = run([step(0), step(1)]);
    const text = attemptText(program, { result: r, check: check(program, r) }, source);
    expect(text).toBe(judge(program, { result: r }, source).message);
    expect(text).toMatch(/^j\.epl:2:1: [^\n]*=> expectation failed\n/);
  });

  it('never reads the result of a pass whose check it is given (a pool decodes on read)', () => {
    const r = run([step(0), step(2)]);
    const c = check(program, r);
    const outcome = {
      check: c,
      get result(): never {
        throw new Error('result read');
      },
    };
    expect(judge(program, outcome, source)).toEqual({ status: 'passed', wireUnchecked: 0 });
  });

  it('fails a scenario the pool never answered, rather than passing it', () => {
    const v = judge(program, undefined, source);
    expect(v.status).toBe('failed');
    expect(v.message).toContain('got no result from the pool');
  });
});
