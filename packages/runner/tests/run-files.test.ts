// runFiles through the real compiler and executor, and (for which attempts are made) through
// scripted runners that answer chosen results.
import { mkdtempSync, mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { result, step, viewOf } from '@epl/executor/testing';
import { Lane, Pool, type Job, type Ran, type Runner } from '@epl/pool';
import type { Family, Program, RunResult } from '@epl/program';
import { LANE_MAX_SCENARIOS, MAX_RETRIES, runFiles, type FileResult, type RunFilesOptions } from '../src';

let dir: string;
const write = (name: string, text: string) => {
  const p = path.join(dir, name);
  mkdirSync(path.dirname(p), { recursive: true });
  writeFileSync(p, text);
  return p;
};

beforeEach(() => {
  dir = mkdtempSync(path.join(tmpdir(), 'epl-run-files-'));
});
afterEach(() => rmSync(dir, { recursive: true, force: true }));

async function all(paths: string[], opts: RunFilesOptions = {}): Promise<FileResult[]> {
  const out: FileResult[] = [];
  for await (const f of runFiles(paths, opts)) out.push(f);
  return out;
}

const passed = (f: FileResult) => f.error === undefined && f.scenarios.every((s) => s.outcome.status === 'passed');

/**
 * A real Pool whose FIRST attempt of each Program runs as `tcp`, whatever family was asked;
 * later attempts run as asked. The kernel answers every attempt for real: only the condition of
 * the first one differs, as a loaded machine changes the timing of the first run it stalls.
 * `pair a b; close b; write a "x" => EPIPE` fails as tcp (the write is accepted, the RST comes
 * later) and passes as unix: asked as unix, it fails once, then passes.
 */
class FirstAttemptAsTcp implements Runner {
  readonly attempts = new Map<string, number>();
  constructor(readonly pool: Runner) {}
  run(jobs: readonly Job[]): AsyncIterableIterator<Ran> {
    const changed = jobs.map((j): Job => {
      const title = (j.program as Program).title;
      const n = (this.attempts.get(title) ?? 0) + 1;
      this.attempts.set(title, n);
      return n === 1 ? { ...j, family: 'tcp' as const } : j;
    });
    return this.pool.run(changed);
  }
  isolation() {
    return this.pool.isolation();
  }
  close() {
    return Promise.resolve();
  }
}

/** Answers `answer(title, attempt)` for each job, last first (ids must be honoured); records each run. */
class ScriptedRunner implements Runner {
  readonly runs: string[][] = [];
  private readonly attempts = new Map<string, number>();
  constructor(private readonly answer: (title: string, attempt: number, family: Family) => RunResult | string) {}
  async *run(jobs: readonly Job[]): AsyncIterableIterator<Ran> {
    this.runs.push(jobs.map((j) => (j.program as Program).title).sort());
    for (let id = jobs.length - 1; id >= 0; id--) {
      const title = (jobs[id].program as Program).title;
      const attempt = (this.attempts.get(title) ?? 0) + 1;
      this.attempts.set(title, attempt);
      const a = this.answer(title, attempt, jobs[id].family);
      yield typeof a === 'string' ? { id, lost: a } : { id, view: viewOf(a) };
    }
  }
  isolation(): never {
    throw new Error('not asked');
  }
  close() {
    return Promise.resolve();
  }
}

describe('runFiles', () => {
  it("a compile error is that file's located error; the other files still run", async () => {
    const bad = write('bad.epl', 'pipe r w\nclose q\n');
    const good = write('good.epl', 'pipe r w => ok\nwrite w "hi" => 2\nread r => "hi"\n');
    const [b, g] = await all([bad, good], { workers: 1 });
    expect(b.error?.line).toBe(2);
    expect(b.error?.message).toMatch(/bad\.epl:2:\d+: /);
    expect(b.scenarios).toEqual([]);
    expect(passed(g)).toBe(true);
    expect(g.scenarios).toHaveLength(1);
  });

  it('a path that gives no file is its own error', async () => {
    const [missing] = await all([path.join(dir, 'nope.epl')]);
    expect(missing.error?.message).toBe(`${path.join(dir, 'nope.epl')}: no such file or folder`);
  });

  it('a failed expectation fails the scenario, keeps its results and says where', async () => {
    const f = write('f.epl', 'pipe r w\nwrite w "hi" => 3\n');
    const [r] = await all([f], { workers: 1 });
    const [s] = r.scenarios;
    expect(s.outcome.status).toBe('failed');
    expect(s.outcome.failures.map((x) => [x.line, x.got.ret])).toEqual([[2, 2]]);
    expect(s.view?.ret(1)).toBe(2);
  });

  it('keeps the results of a passing scenario only when asked', async () => {
    const f = write('p.epl', 'pipe r w => ok\n');
    const [kept] = await all([f], { keep: 'all' });
    const [dropped] = await all([f]);
    expect([kept.scenarios[0].view?.stepCount, dropped.scenarios[0].view]).toEqual([1, undefined]);
  });

  it('runs each scenario once per family, filters by title, and leaves out what select refuses', async () => {
    const f = write('fam.epl', 'pair a b\nscenario "write" {\n  write a "x" => 1\n}\nscenario "shut" {\n  shutdown a WR => 0\n  read b => ""\n}\n');
    const [r] = await all([f], { workers: 2, families: ['tcp', 'tcp6', 'unix'] });
    expect(r.scenarios.map((s) => `${s.program.title}/${s.family}`)).toEqual(['write/tcp', 'write/tcp6', 'write/unix', 'shut/tcp', 'shut/tcp6', 'shut/unix']);
    expect(passed(r)).toBe(true);
    const [some] = await all([f], { filter: 'SHU' });
    expect(some.scenarios.map((s) => s.program.title)).toEqual(['shut']);
    const [picked] = await all([f], { families: ['tcp', 'unix'], select: (_file, p, family) => p.title === 'write' && family === 'unix' });
    expect(picked.scenarios.map((s) => `${s.program.title}/${s.family}`)).toEqual(['write/unix']);
    expect(picked.skipped.map((s) => `${s.program.title}/${s.family}`)).toEqual(['write/tcp', 'shut/tcp', 'shut/unix']);
  });

  it('a scenario over its budget is lost; the run goes on', async () => {
    const slow = write('slow.epl', 'scenario "slow" {\n  sleep 1500\n}\nscenario "quick" {\n  pipe r w => ok\n}\n');
    const other = write('other.epl', 'eventfd e 1 => ok\nread e 8 => "\\x01\\0\\0\\0\\0\\0\\0\\0"\n');
    const pool = new Pool({ workers: 2, budgetMs: 200, marginMs: 200 });
    try {
      const [s, o] = await all([slow, other], { runner: pool });
      expect(s.scenarios.map((x) => [x.program.title, x.outcome.status])).toEqual([
        ['slow', 'lost'],
        ['quick', 'passed'],
      ]);
      expect(s.scenarios[0].outcome.error).toMatch(/over its time budget/);
      expect(passed(o)).toBe(true);
    } finally {
      await pool.close();
    }
  });

  it('yields files in the order given, each once complete, and reports progress', async () => {
    const files = Array.from({ length: 100 }, (_, i) =>
      write(`many/f${String(i).padStart(3, '0')}.epl`, `tcp 5 6\nwrite 5 "${i}" => ${String(i).length}\nread 6 => "${i}"\nclose 5 => 0\nread 6 => ""\n`),
    );
    const seen: number[] = [];
    const reports = await all([path.join(dir, 'many')], { workers: 2, progress: (done) => seen.push(done) });
    expect(reports.map((r) => r.file)).toEqual(files);
    expect(reports.filter((r) => !passed(r)).map((r) => r.file)).toEqual([]);
    expect(seen).toEqual(Array.from({ length: 100 }, (_, i) => i + 1));
  });

  it('tells what the threads obtained', async () => {
    const isolations: unknown[] = [];
    await all([write('i.epl', 'pipe r w\n')], { isolation: (iso) => isolations.push(iso) });
    expect(isolations).toEqual([expect.objectContaining({ files: true, netns: process.getuid?.() === 0 })]);
  });

  it('stops when aborted: nothing more is yielded', async () => {
    const files = Array.from({ length: 30 }, (_, i) => write(`s/f${String(i).padStart(2, '0')}.epl`, 'sleep 100\n'));
    const abort = new AbortController();
    const got: string[] = [];
    for await (const f of runFiles([path.join(dir, 's')], { workers: 1, signal: abort.signal })) {
      got.push(f.file);
      abort.abort();
    }
    expect(got.length).toBeGreaterThanOrEqual(1);
    expect(got.length).toBeLessThan(files.length);
  });

  describe('with retries', () => {
    let pool: Pool;
    beforeAll(() => {
      pool = new Pool({ workers: 1, budgetMs: 200, marginMs: 200 });
    });
    afterAll(() => pool.close());
    const PEER_CLOSED = 'pair a b\nclose b\nwrite a "x" => EPIPE\n';

    it('a scenario that fails its first attempt and passes the second passes, flaky with its first attempt', async () => {
      const f = write('peer-closed.epl', PEER_CLOSED);
      const flaky = new FirstAttemptAsTcp(pool);
      const [r] = await all([f], { runner: flaky, families: ['unix'], retries: 2 });
      const [s] = r.scenarios;
      expect([s.outcome.status, s.attempts, s.family, s.view]).toEqual(['passed', 2, 'unix', undefined]);
      expect(s.flaky?.attempts).toBe(2);
      expect(s.flaky?.first.outcome.failures.map((x) => [x.line, x.col, x.got.ret])).toEqual([[3, 1, 1]]);
      expect(s.flaky?.first.view?.family).toBe('tcp');
      expect(flaky.attempts.get('peer-closed')).toBe(2);
    });

    it('without retries the same scenario fails on its one attempt', async () => {
      const f = write('peer-closed.epl', PEER_CLOSED);
      const [r] = await all([f], { runner: new FirstAttemptAsTcp(pool), families: ['unix'] });
      expect([r.scenarios[0].outcome.status, r.scenarios[0].attempts, r.scenarios[0].flaky]).toEqual(['failed', 1, undefined]);
    });

    it('rejects a retry count that is not a whole number from 0 to MAX_RETRIES', async () => {
      for (const bad of [-1, 1.5, NaN, MAX_RETRIES + 1])
        await expect(all([write('x.epl', 'pipe r w\n')], { runner: pool, retries: bad })).rejects.toThrow(/retries must be a whole number/);
    });
  });

  describe('which attempts are made', () => {
    // "flaky" fails its first attempt only; "broken" every attempt; "fine" never; "crash" is lost; "refused" errors.
    const SOURCE = ['fine', 'flaky', 'broken', 'crash', 'refused'].map((t) => `scenario "${t}" {\n  write w "hi" => 2\n}\n`).join('');
    const wrote = (n: number, family: Family) => result([step({ fds: [3, 4] }), step({ ret: n })], { family });
    const answer = (title: string, attempt: number, family: Family): RunResult | string => {
      if (title === 'crash') return 'the worker died while running this scenario';
      if (title === 'refused') return result([step({ fds: [3, 4] })], { family, error: 'malformed program: op 1: …' });
      if (title === 'broken') return wrote(1, family);
      if (title === 'flaky') return wrote(attempt === 1 ? 1 : 2, family);
      return wrote(2, family);
    };
    const file = () => write('r.epl', `pipe r w\n${SOURCE}`);

    it('re-runs what failed an expectation, never what errored or was lost', async () => {
      const runner = new ScriptedRunner(answer);
      const [r] = await all([file()], { runner, retries: 2 });
      const by = new Map(r.scenarios.map((s) => [s.program.title, s]));
      expect([...by].map(([t, s]) => [t, s.outcome.status, s.attempts, s.flaky !== undefined])).toEqual([
        ['fine', 'passed', 1, false],
        ['flaky', 'passed', 2, true],
        ['broken', 'failed', 3, false],
        ['crash', 'lost', 1, false],
        ['refused', 'errored', 1, false],
      ]);
      expect(by.get('flaky')?.flaky?.first.view?.ret(1)).toBe(1);
      // The first run has everything; retries run at once, beside it, only what failed.
      expect(runner.runs[0]).toEqual(['broken', 'crash', 'fine', 'flaky', 'refused']);
      expect(runner.runs.slice(1).flat().sort()).toEqual(['broken', 'broken', 'flaky']);
    });

    it('makes one attempt by default, and runs every attempt with the same family', async () => {
      const runner = new ScriptedRunner(answer);
      const [r] = await all([file()], { runner, families: ['unix'], retries: 1 });
      expect(r.scenarios.every((s) => s.family === 'unix' && (s.view === undefined || s.view.family === 'unix'))).toBe(true);
      const once = new ScriptedRunner(answer);
      await all([file()], { runner: once });
      expect(once.runs).toHaveLength(1);
    });
  });

  describe('lane or pool', () => {
    const scenarios = (n: number) => Array.from({ length: n }, (_, i) => `scenario "s${i}" {\n  eventfd e ${i + 1} => ok\n}\n`).join('');
    let onLane: jest.SpyInstance;
    let onPool: jest.SpyInstance;
    beforeEach(() => {
      onLane = jest.spyOn(Lane.prototype, 'run');
      onPool = jest.spyOn(Pool.prototype, 'run');
    });
    afterEach(() => jest.restoreAllMocks());

    it(`a run of at most ${LANE_MAX_SCENARIOS} scenarios goes to a lane, no worker thread`, async () => {
      const f = write('small.epl', scenarios(LANE_MAX_SCENARIOS / 2));
      const [r] = await all([f], { families: ['tcp', 'unix'] });
      expect([passed(r), r.scenarios.length]).toEqual([true, LANE_MAX_SCENARIOS]);
      expect([onLane.mock.calls.length, onPool.mock.calls.length]).toEqual([1, 0]);
    });

    it('retries run again on the same lane', async () => {
      const f = write('wrong.epl', 'pipe r w\nwrite w "hi" => 3\n');
      const [r] = await all([f], { retries: 2 });
      expect([r.scenarios[0].outcome.status, r.scenarios[0].attempts]).toEqual(['failed', 3]);
      expect([onLane.mock.calls.length, onPool.mock.calls.length]).toEqual([3, 0]);
    });

    it('a bigger run, or one that asks for workers, goes to a pool', async () => {
      const big = write('big.epl', scenarios(LANE_MAX_SCENARIOS + 1));
      const [r] = await all([big]);
      expect([passed(r), r.scenarios.length]).toEqual([true, LANE_MAX_SCENARIOS + 1]);
      expect([onLane.mock.calls.length, onPool.mock.calls.length]).toEqual([0, 1]);
      const [s] = await all([write('one.epl', scenarios(1))], { workers: 1 });
      expect(passed(s)).toBe(true);
      expect([onLane.mock.calls.length, onPool.mock.calls.length]).toEqual([0, 2]);
    });
  });
});
