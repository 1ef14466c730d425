// runFiles through the real compiler and executor.
import { mkdtempSync, mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import type { Family, Program } from '@epl/program';
import { Lane } from '../src/lane';
import { Pool } from '../src/pool';
import type { PoolResult } from '../src/pool';
import { toRecord } from '../src/report';
import type { ProgramPool } from '../src/retry';
import { expandPaths, LANE_MAX_SCENARIOS, runFiles } from '../src/run-files';

/**
 * A real Pool whose FIRST attempt of each Program runs as `tcp`, whatever family was asked;
 * later attempts run as asked. The kernel answers every attempt for real: only the condition of
 * the first one differs, as a loaded machine changes the timing of the first run it stalls.
 * `pair a b; close b; write a "x" => EPIPE` fails as tcp (the write is accepted, the RST comes
 * later) and passes as unix: asked as unix, it fails once, then passes.
 */
class FirstAttemptAsTcp implements ProgramPool {
  /** Programs per attempt, by title. */
  readonly attempts = new Map<string, number>();
  constructor(readonly pool: Pool) {}
  async *run(programs: readonly Program[], opts?: { family?: Family }): AsyncIterable<PoolResult> {
    const first: number[] = [];
    const later: number[] = [];
    programs.forEach((p, id) => {
      const n = (this.attempts.get(p.title) ?? 0) + 1;
      this.attempts.set(p.title, n);
      (n === 1 ? first : later).push(id);
    });
    for (const [ids, family] of [
      [first, 'tcp'],
      [later, opts?.family],
    ] as const) {
      if (ids.length === 0) continue;
      for await (const { id, result } of this.pool.run(
        ids.map((k) => programs[k]),
        { family },
      ))
        yield { id: ids[id], result };
    }
  }
}

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

describe('expandPaths', () => {
  it('finds *.epl below folders, recursively and sorted; files stay as given', async () => {
    write('b/z.epl', '');
    write('b/a/y.epl', '');
    write('b/notes.txt', '');
    const x = write('x.txt', '');
    const { files, missing } = await expandPaths([path.join(dir, 'b'), x, path.join(dir, 'nope')]);
    expect(files).toEqual([path.join(dir, 'b/a/y.epl'), path.join(dir, 'b/z.epl'), x]);
    expect(missing).toEqual([path.join(dir, 'nope')]);
  });
});

describe('runFiles', () => {
  it("a compile error is that file's located error; the other files still run", async () => {
    const bad = write('bad.epl', 'pipe r w\nclose q\n');
    const good = write('good.epl', 'pipe r w => ok\nwrite w "hi" => 2\nread r => "hi"\n');
    const [b, g] = await runFiles([bad, good], { workers: 1 });
    expect(b.pass).toBe(false);
    expect(b.error?.line).toBe(2);
    expect(b.error?.message).toMatch(/bad\.epl:2:\d+: /);
    expect(b.scenarios).toEqual([]);
    expect(g.pass).toBe(true);
    expect(g.scenarios).toHaveLength(1);
  });

  it('a failed expectation fails the scenario and says where', async () => {
    const f = write('f.epl', 'pipe r w\nwrite w "hi" => 3\n');
    const [r] = await runFiles([f], { workers: 1 });
    expect(r.pass).toBe(false);
    expect(r.scenarios[0].check.failures.map((x) => [x.line, x.expected, x.got])).toEqual([[2, '3', '2']]);
  });

  it('runs each scenario once per family, and filters by title', async () => {
    const f = write('fam.epl', 'pair a b\nscenario "write" {\n  write a "x" => 1\n}\nscenario "shut" {\n  shutdown a WR => 0\n  read b => ""\n}\n');
    const [all] = await runFiles([f], { workers: 2, families: ['tcp', 'tcp6', 'unix'] });
    expect(all.scenarios.map((s) => `${s.title}/${s.family}`)).toEqual(['write/tcp', 'write/tcp6', 'write/unix', 'shut/tcp', 'shut/tcp6', 'shut/unix']);
    expect(all.pass).toBe(true);
    const [some] = await runFiles([f], { workers: 1, filter: 'SHU' });
    expect(some.scenarios.map((s) => s.title)).toEqual(['shut']);
  });

  it('a scenario over its budget is an error; the run goes on', async () => {
    const slow = write('slow.epl', 'scenario "slow" {\n  sleep 1500\n}\nscenario "quick" {\n  pipe r w => ok\n}\n');
    const other = write('other.epl', 'eventfd e 1 => ok\nread e 8 => "\\x01\\0\\0\\0\\0\\0\\0\\0"\n');
    const pool = new Pool({ workers: 2, budgetMs: 200, marginMs: 200 });
    try {
      const [s, o] = await runFiles([slow, other], { pool });
      expect(s.scenarios.map((x) => [x.title, x.pass, x.result.error === undefined])).toEqual([
        ['slow', false, false],
        ['quick', true, true],
      ]);
      expect(s.scenarios[0].result.error).toMatch(/over its time budget/);
      expect(o.pass).toBe(true);
    } finally {
      await pool.close();
    }
  });

  describe('with retries', () => {
    let pool: Pool;
    beforeAll(() => {
      pool = new Pool({ workers: 1, budgetMs: 200, marginMs: 200 });
    });
    afterAll(() => pool.close());
    const PEER_CLOSED = 'pair a b\nclose b\nwrite a "x" => EPIPE\n';

    it('a scenario that fails its first attempt and passes the second passes, reported flaky with attempts 2', async () => {
      const f = write('peer-closed.epl', PEER_CLOSED);
      const flaky = new FirstAttemptAsTcp(pool);
      const [r] = await runFiles([f], { pool: flaky, families: ['unix'], retries: 2 });
      expect(r.pass).toBe(true);
      const [s] = r.scenarios;
      expect([s.pass, s.attempts, s.family, s.result.family]).toEqual([true, 2, 'unix', 'unix']);
      expect(s.flaky?.attempts).toBe(2);
      expect(s.flaky?.failures.map((x) => [x.line, x.col, x.expected, x.got])).toEqual([[3, 1, 'EPIPE', '1']]);
      // The first attempt's failure text, as `epl run` prints a failure: located, expected vs got, transcript.
      expect(s.flaky?.firstFailure).toMatch(/^.*peer-closed\.epl:3:1: scenario "peer-closed" \[unix\]: => expectation failed\n/);
      expect(s.flaky?.firstFailure).toContain('  expected: => EPIPE\n  got:      => 1\n  transcript:\n');
      expect(s.flaky?.firstFailure).toMatch(/tcp\(a<fd \d+>, b<fd \d+>\)/);
      expect(flaky.attempts.get('peer-closed')).toBe(2);
      expect(toRecord(s, r.source)).toMatchObject({ pass: true, attempts: 2, flaky: { attempts: 2, firstFailure: s.flaky?.firstFailure } });
    });

    it('without retries the same scenario fails on its one attempt', async () => {
      const f = write('peer-closed.epl', PEER_CLOSED);
      const [r] = await runFiles([f], { pool: new FirstAttemptAsTcp(pool), families: ['unix'] });
      expect([r.pass, r.scenarios[0].attempts, r.scenarios[0].flaky]).toEqual([false, 1, undefined]);
    });

    it('a scenario that fails every attempt fails with attempts = retries + 1', async () => {
      const f = write('wrong.epl', 'pipe r w\nwrite w "hi" => 3\n');
      const counted = new FirstAttemptAsTcp(pool);
      const [r] = await runFiles([f], { pool: counted, retries: 2 });
      const [s] = r.scenarios;
      expect([r.pass, s.pass, s.attempts, s.flaky]).toEqual([false, false, 3, undefined]);
      expect(s.check.failures.map((x) => [x.expected, x.got])).toEqual([['3', '2']]);
      expect(counted.attempts.get('wrong')).toBe(3);
    });

    it('neither an error nor a compile error is retried', async () => {
      const slow = write('slow.epl', 'sleep 1500\n');
      const bad = write('bad.epl', 'pipe r w\nclose q\n');
      const counted = new FirstAttemptAsTcp(pool);
      const [s, b] = await runFiles([slow, bad], { pool: counted, retries: 2 });
      expect(s.scenarios[0].result.error).toMatch(/over its time budget/);
      expect([s.scenarios[0].pass, s.scenarios[0].attempts]).toEqual([false, 1]);
      expect(counted.attempts.get('slow')).toBe(1);
      expect(b.error?.line).toBe(2);
      expect([...counted.attempts.keys()]).toEqual(['slow']);
    });

    it('rejects a retry count that is not a whole number', async () => {
      await expect(runFiles([write('x.epl', 'pipe r w\n')], { pool, retries: -1 })).rejects.toThrow(/retries must be a whole number/);
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
      const [r] = await runFiles([f], { families: ['tcp', 'unix'] });
      expect([r.pass, r.scenarios.length]).toEqual([true, LANE_MAX_SCENARIOS]);
      expect([onLane.mock.calls.length, onPool.mock.calls.length]).toEqual([2, 0]);
    });

    it('retries run again on the same lane, one round per attempt', async () => {
      const f = write('wrong.epl', 'pipe r w\nwrite w "hi" => 3\n');
      const [r] = await runFiles([f], { retries: 2 });
      expect([r.pass, r.scenarios[0].attempts]).toEqual([false, 3]);
      expect(r.scenarios[0].check.failures.map((x) => [x.expected, x.got])).toEqual([['3', '2']]);
      expect([onLane.mock.calls.length, onPool.mock.calls.length]).toEqual([3, 0]);
    });

    it('a bigger run, or one that asks for workers, goes to a pool', async () => {
      const big = write('big.epl', scenarios(LANE_MAX_SCENARIOS + 1));
      const [r] = await runFiles([big]);
      expect([r.pass, r.scenarios.length]).toEqual([true, LANE_MAX_SCENARIOS + 1]);
      expect([onLane.mock.calls.length, onPool.mock.calls.length]).toEqual([0, 1]);
      const [s] = await runFiles([write('one.epl', scenarios(1))], { workers: 1 });
      expect(s.pass).toBe(true);
      expect([onLane.mock.calls.length, onPool.mock.calls.length]).toEqual([0, 2]);
    });
  });

  it('100 files on 2 workers all pass', async () => {
    const files = Array.from({ length: 100 }, (_, i) =>
      write(`many/f${String(i).padStart(3, '0')}.epl`, `tcp 5 6\nwrite 5 "${i}" => ${String(i).length}\nread 6 => "${i}"\nclose 5 => 0\nread 6 => ""\n`),
    );
    const reports = await runFiles([path.join(dir, 'many')], { workers: 2 });
    expect(reports.map((r) => r.file)).toEqual(files);
    expect(reports.filter((r) => !r.pass).map((r) => r.file)).toEqual([]);
    expect(reports.every((r) => r.scenarios.length === 1)).toBe(true);
  });
});
