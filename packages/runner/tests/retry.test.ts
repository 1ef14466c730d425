// The retry loop on a fake pool. This tests which attempts are made and what is kept, not the
// kernel path (run-files.test.ts runs retries through the real executor), so the pool here
// answers hand-made results, chosen per scenario and attempt.
import { ProgramBuilder } from '@epl/program';
import type { Family, Program, RunResult } from '@epl/program';
import { MAX_RETRIES, checkRetries, retryable, runRetrying } from '../src/retry';
import type { ProgramPool, Retried } from '../src/retry';
import type { PoolResult } from '../src/pool';
import { check } from '../src/check';
import { result, step } from './helpers';

/** `write w "hi" => 2`: passes when the write returned 2. */
function scenario(title: string): Program {
  return new ProgramBuilder('r.epl', title)
    .op('pipe', ['r', 'w'])
    .op('write', ['w', 'hi'], { expect: { kind: 'number', value: 2 } })
    .build();
}
const wrote = (n: number, family: Family = 'tcp') => result([step({ fds: [3, 4] }), step({ ret: n })], { family });
const errored = () => result([step({ fds: [3, 4] })], { error: 'the worker died while running this scenario' });

/** Answers `answer(title, attempt)`, last Program first (ids must be honoured); records each run. */
class ScriptedPool implements ProgramPool {
  readonly runs: { titles: string[]; family?: Family }[] = [];
  private readonly attempts = new Map<string, number>();
  constructor(private readonly answer: (title: string, attempt: number, family: Family) => RunResult) {}
  async *run(programs: readonly Program[], opts?: { family?: Family }): AsyncIterable<PoolResult> {
    this.runs.push({ titles: programs.map((p) => p.title), family: opts?.family });
    for (let id = programs.length - 1; id >= 0; id--) {
      const title = programs[id].title;
      const attempt = (this.attempts.get(title) ?? 0) + 1;
      this.attempts.set(title, attempt);
      yield { id, result: this.answer(title, attempt, opts?.family ?? 'tcp') };
    }
  }
}

async function collect(pool: ProgramPool, programs: Program[], retries?: number, family?: Family): Promise<Map<string, Retried>> {
  const out = new Map<string, Retried>();
  for await (const r of runRetrying(pool, programs, { retries, family })) {
    expect(out.has(programs[r.id].title)).toBe(false);
    out.set(programs[r.id].title, r);
  }
  return out;
}

describe('runRetrying', () => {
  // "flaky" fails its first attempt only; "broken" every attempt; "fine" never; "crash" errors.
  const answer = (title: string, attempt: number, family: Family) => {
    if (title === 'crash') return errored();
    if (title === 'broken') return wrote(1, family);
    if (title === 'flaky') return wrote(attempt === 1 ? 1 : 2, family);
    return wrote(2, family);
  };
  const programs = () => ['fine', 'flaky', 'broken', 'crash'].map(scenario);

  it('re-runs a failed scenario; a later pass is final, with the failed attempt kept', async () => {
    const pool = new ScriptedPool(answer);
    const got = await collect(pool, programs(), 2);
    const flaky = got.get('flaky') as Retried;
    expect(flaky.check.pass).toBe(true);
    expect(flaky.attempts).toBe(2);
    expect(flaky.failed).toHaveLength(1);
    expect(flaky.failed[0].check.failures.map((f) => [f.expected, f.got])).toEqual([['2', '1']]);
    expect(flaky.failed[0].result.steps[1].ret).toBe(1);
    expect(got.get('fine')).toMatchObject({ attempts: 1, failed: [] });
  });

  it('a scenario failing every attempt fails after retries + 1, each failure kept', async () => {
    const pool = new ScriptedPool(answer);
    const broken = (await collect(pool, programs(), 2)).get('broken') as Retried;
    expect(broken.check.pass).toBe(false);
    expect(broken.attempts).toBe(3);
    expect(broken.failed).toHaveLength(2);
    // Round 1 runs everything; rounds 2 and 3 only what is still failing.
    expect(pool.runs.map((r) => r.titles.sort())).toEqual([['broken', 'crash', 'fine', 'flaky'], ['broken', 'flaky'], ['broken']]);
  });

  it('never re-runs a run that errored', async () => {
    const pool = new ScriptedPool(answer);
    const crash = (await collect(pool, programs(), 5)).get('crash') as Retried;
    expect(crash.check.error).toMatch(/worker died/);
    expect(crash.attempts).toBe(1);
    expect(pool.runs.slice(1).some((r) => r.titles.includes('crash'))).toBe(false);
  });

  it('makes one attempt by default', async () => {
    const pool = new ScriptedPool(answer);
    const got = await collect(pool, programs());
    expect(pool.runs).toHaveLength(1);
    expect(got.get('flaky')).toMatchObject({ attempts: 1, failed: [] });
    expect(got.get('flaky')?.check.pass).toBe(false);
  });

  it('runs every attempt with the same family', async () => {
    const pool = new ScriptedPool(answer);
    const got = await collect(pool, programs(), 2, 'unix');
    expect(pool.runs.map((r) => r.family)).toEqual(['unix', 'unix', 'unix']);
    expect(got.get('flaky')?.result.family).toBe('unix');
  });

  it('rejects a retry count that is not a whole number from 0 to MAX_RETRIES', async () => {
    const pool = new ScriptedPool(answer);
    for (const bad of [-1, 1.5, NaN, MAX_RETRIES + 1]) {
      await expect(collect(pool, programs(), bad)).rejects.toThrow(/retries must be a whole number/);
    }
    expect(pool.runs).toHaveLength(0);
    expect(checkRetries(MAX_RETRIES)).toBe(MAX_RETRIES);
  });
});

describe('retryable', () => {
  it('is a failed expectation on a run without error', () => {
    const p = scenario('x');
    expect(retryable(check(p, wrote(1)))).toBe(true);
    expect(retryable(check(p, wrote(2)))).toBe(false);
    expect(retryable(check(p, errored()))).toBe(false);
    // An expectation failed, but the run stopped with an error after it: not a kernel answer.
    expect(retryable(check(p, { ...wrote(1), error: 'over its time budget' }))).toBe(false);
  });
});
