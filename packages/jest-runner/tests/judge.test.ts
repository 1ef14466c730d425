import { check, lost } from '@epl/check';
import { compile } from '@epl/compiler';
import { result, step, viewOf } from '@epl/executor/testing';
import type { RunResult } from '@epl/program';
import type { ScenarioRun } from '@epl/runner';
import { judge } from '../src/judge';

const source = 'pipe r w\nwrite w "x" => 2\n';
const [program] = compile(source, 'j.epl');

const run = (r: RunResult, more: Partial<ScenarioRun> = {}): ScenarioRun => {
  const view = viewOf(r);
  return { file: 'j.epl', program, family: 'tcp', outcome: check(program, view), view, attempts: 1, ...more };
};
const ran = (ret: number, error?: string) => result([step(), step({ ret })], { captured: false, ...(error !== undefined ? { error } : {}) });

describe('judge', () => {
  it('passes a scenario whose expectations hold', () => {
    expect(judge(run(ran(2)), source, 0)).toEqual({ outcome: { status: 'passed' }, wireUnchecked: 0 });
  });

  it('fails with the located, quoted step and expected vs got', () => {
    const v = judge(run(ran(1)), source, 0);
    expect(v.outcome.status).toBe('failed');
    expect(v.outcome.message).toMatch(/^j\.epl:2:1: /);
    expect(v.outcome.message).toContain('\n  write w "x" => 2\n  ^');
    expect(v.outcome.message).toMatch(/expected:\s+=> 2\n\s+got:\s+=> 1/);
    expect(v.outcome.details).toEqual({ status: 'failed', failures: [{ file: 'j.epl', line: 2, col: 1, kind: 'result', expected: '2', got: '1' }] });
  });

  it('fails a run that errored, saying where and why', () => {
    const r = result([step()], { error: 'malformed program: op 1 …' });
    const v = judge(run(r), source, 0);
    expect(v.outcome.status).toBe('failed');
    expect(v.outcome.message).toMatch(/^j\.epl:2:1: .*error: malformed program: op 1 …/m);
    expect(v.outcome.details).toEqual({ status: 'errored', failures: [], error: 'malformed program: op 1 …' });
  });

  it('fails a scenario that was lost, rather than passing it', () => {
    const v = judge({ file: 'j.epl', program, family: 'tcp', outcome: lost(program, 'the worker died'), attempts: 1 }, source, 0);
    expect(v.outcome.status).toBe('failed');
    expect(v.outcome.message).toBe('j.epl: scenario "j": lost: the worker died');
  });

  it("gives a pass after a failure jest's invocations and the first attempt's text as the retry reason", () => {
    const first = run(ran(1));
    const earlier = { outcome: first.outcome, view: first.view };
    const v = judge(run(ran(2), { attempts: 2, flaky: { attempts: 2, first: earlier }, earlier: [earlier] }), source, 2);
    expect(v.outcome).toMatchObject({ status: 'passed', attempts: 2 });
    expect(v.outcome.retryReasons?.[0]).toMatch(/^j\.epl:2:1: [^\n]*=> expectation failed\n/);
    expect(v.flaky).toEqual([{ file: 'j.epl', line: 2, col: 1, kind: 'result', expected: '2', got: '1' }]);
  });

  it('counts the wire it could not check, and says why', () => {
    const [p] = compile('tcp a b\nclose a ~> a > b F.\n', 'w.epl');
    const view = viewOf(result([step(), step()], { captured: false }));
    const v = judge({ file: 'w.epl', program: p, family: 'tcp', outcome: check(p, view), view, attempts: 1 }, '', 0);
    expect([v.outcome.status, v.wireUnchecked, v.wireReason]).toEqual(['passed', 1, 'no CAP_NET_RAW']);
  });
});
