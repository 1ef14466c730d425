// The runner against a fake pool: how many pools, which runs, which jest events. No
// scenario reaches the kernel here (tests/jest.test.ts does that, through a real jest).
import * as path from 'node:path';
import type { Test, TestEvents } from '@jest/test-result';
import type { Config } from '@jest/types';
import type { TestWatcher } from 'jest-runner';
import type { Family, Program, RunResult } from '@epl/program';
import EplJestRunner, { eachLimit, type RunnerPool } from '../src/runner';

const fixtures = path.join(__dirname, 'fixtures');

/**
 * Answers every Program, last first (ids must be honoured); titles containing "wrong" come
 * back with an error. `ran`: every op returned 0 and no wire was captured, else no op ran.
 */
class FakePool implements RunnerPool {
  readonly runs: { titles: string[]; family?: Family }[] = [];
  closed = 0;
  constructor(
    readonly workers: number,
    private readonly fail = false,
    private readonly ran = false,
  ) {}

  async *run(programs: readonly Program[], opts?: { family?: Family }): AsyncIterable<{ id: number; result: RunResult }> {
    this.runs.push({ titles: programs.map((p) => p.title), family: opts?.family });
    if (this.fail) throw new Error('pool broke');
    for (let id = programs.length - 1; id >= 0; id--) {
      const error = programs[id].title.includes('wrong') ? 'fake executor error' : undefined;
      const steps = this.ran ? programs[id].steps.map(() => ({ ret: 0, errno: 0, fds: [], wire: [] })) : [];
      const result: RunResult = { steps, kernel: 'fake', family: opts?.family ?? 'tcp', netns: false, wire: { captured: false, reason: 'no CAP_NET_RAW here' }, ...(error ? { error } : {}) };
      yield { id, result };
    }
  }

  async close(): Promise<void> {
    this.closed++;
  }
}

class TestRunner extends EplJestRunner {
  readonly pools: FakePool[] = [];
  readonly notes: string[] = [];
  failPool = false;
  ranPool = false;
  protected override createPool(workers: number): RunnerPool {
    const p = new FakePool(workers, this.failPool, this.ranPool);
    this.pools.push(p);
    return p;
  }
  protected override note(text: string): void {
    this.notes.push(text);
  }
}

const globalConfig = (over: Partial<Config.GlobalConfig> = {}) => ({ maxWorkers: 3, collectTests: false, ...over }) as Config.GlobalConfig;

/** A project's config; tests of one project share the object, as in jest. */
const project = (dir: string, testEnvironmentOptions: Record<string, unknown> = {}) =>
  ({ rootDir: path.join(fixtures, dir), slowTestThreshold: 5, testEnvironmentOptions }) as Config.ProjectConfig;

const test = (rel: string, config = project(path.dirname(rel))): Test => ({ path: path.join(fixtures, rel), context: { config } }) as unknown as Test;

const watcher = (interrupted = false) => ({ isInterrupted: () => interrupted }) as unknown as TestWatcher;

/** Every event the runner emits, in order. */
function record(runner: EplJestRunner) {
  const events: { name: keyof TestEvents; data: unknown[] }[] = [];
  const names: (keyof TestEvents)[] = ['test-file-start', 'test-file-success', 'test-file-failure', 'test-case-result'];
  for (const name of names) runner.on(name, (data) => void events.push({ name, data: data as unknown[] }));
  return {
    events,
    success: (base: string) => events.find((e) => e.name === 'test-file-success' && path.basename((e.data[0] as Test).path) === base)?.data[1] as TestEvents['test-file-success'][1],
    failure: (base: string) => events.find((e) => e.name === 'test-file-failure' && path.basename((e.data[0] as Test).path) === base)?.data[1] as TestEvents['test-file-failure'][1],
  };
}

describe('EplJestRunner', () => {
  it('tells jest to run its files serially and speaks the event API', () => {
    const r = new EplJestRunner(globalConfig(), {});
    expect(r.isSerial).toBe(true);
    expect(r.supportsEventEmitters).toBe(true);
  });

  it('checks its options when jest constructs it', () => {
    expect(() => new EplJestRunner(globalConfig(), {}, { workers: 0 })).toThrow(/'workers' must be a positive integer/);
  });

  it('runs the whole jest run on one pool of maxWorkers workers, closed at the end', async () => {
    const r = new TestRunner(globalConfig(), {});
    record(r);
    await r.runTests([test('passing/stream.epl'), test('passing/pipe.epl'), test('failing/bad.epl')], watcher());
    expect(r.pools).toHaveLength(1);
    expect(r.pools[0].workers).toBe(3);
    expect(r.pools[0].runs).toHaveLength(3);
    expect(r.pools[0].closed).toBe(1);
  });

  it('reports one test per scenario, matched to its result by id', async () => {
    const r = new TestRunner(globalConfig(), {});
    const rec = record(r);
    await r.runTests([test('failing/bad.epl')], watcher());
    const res = rec.success('bad.epl');
    expect(res.testResults.map((t) => [t.title, t.status])).toEqual([
      ['read what was written', 'passed'],
      ['deliberately wrong', 'failed'],
    ]);
    expect(res.testResults[1].failureMessages.join('\n')).toContain('fake executor error');
    // One test-case-result per scenario, before the file's result.
    const names = rec.events.map((e) => e.name);
    expect(names).toEqual(['test-file-start', 'test-case-result', 'test-case-result', 'test-file-success']);
  });

  it('turns a compile error into that file failing with the located frame, and goes on', async () => {
    const r = new TestRunner(globalConfig(), {});
    const rec = record(r);
    await r.runTests([test('broken/unknown-name.epl'), test('broken/ok.epl')], watcher());
    const err = rec.failure('unknown-name.epl');
    expect(err.message).toMatch(/^unknown-name\.epl:2:10: .*\n {2}shutdown 8 RD\n {11}\^$/);
    expect(err.stack).toBe('');
    expect(rec.success('ok.epl').numPassingTests).toBe(1);
    // The broken file never reached the pool.
    expect(r.pools[0].runs).toHaveLength(1);
  });

  it('runs each family of the matrix and titles tests with it', async () => {
    const r = new TestRunner(globalConfig(), {});
    const rec = record(r);
    await r.runTests([test('passing/pipe.epl', project('passing', { eplFamilies: ['tcp', 'unix'] }))], watcher());
    expect(r.pools[0].runs.map((x) => x.family).sort()).toEqual(['tcp', 'unix']);
    expect(rec.success('pipe.epl').testResults.map((t) => t.title)).toEqual(['pipe [tcp]', 'pipe [unix]']);
  });

  it('takes the matrix per project, and still runs every project on one pool', async () => {
    const r = new TestRunner(globalConfig(), {});
    const rec = record(r);
    await r.runTests([test('passing/pipe.epl', project('passing', { eplFamilies: ['tcp6', 'unix'] })), test('broken/ok.epl')], watcher());
    expect(r.pools).toHaveLength(1);
    expect(rec.success('pipe.epl').testResults.map((t) => t.title)).toEqual(['pipe [tcp6]', 'pipe [unix]']);
    expect(rec.success('ok.epl').testResults.map((t) => t.title)).toEqual(['ok']);
    expect(r.pools[0].runs.map((x) => x.family)).toEqual(expect.arrayContaining(['tcp6', 'unix', undefined]));
  });

  it('fails the run before starting a pool when a project names an unknown family', async () => {
    const r = new TestRunner(globalConfig(), {});
    await expect(r.runTests([test('passing/pipe.epl', project('passing', { eplFamilies: ['udp'] }))], watcher())).rejects.toThrow(/unknown family "udp"/);
    expect(r.pools).toHaveLength(0);
  });

  it('sends only the scenarios -t selects; the rest are pending', async () => {
    const r = new TestRunner(globalConfig({ testNamePattern: 'PEER READABLE' }), {});
    const rec = record(r);
    await r.runTests([test('passing/stream.epl')], watcher());
    expect(r.pools[0].runs[0].titles).toEqual(['data makes the peer readable']);
    expect(rec.success('stream.epl').testResults.map((t) => t.status)).toEqual(['pending', 'passed', 'pending']);
  });

  it('lists scenarios without a pool under --collectTests', async () => {
    const r = new TestRunner(globalConfig({ collectTests: true }), {});
    const rec = record(r);
    await r.runTests([test('passing/stream.epl')], watcher());
    expect(r.pools).toHaveLength(0);
    expect(rec.success('stream.epl').testResults.every((t) => t.status === 'passed' && t.wouldRun === true)).toBe(true);
  });

  it('fails the file, not the run, when the pool itself fails; the pool is still closed', async () => {
    const r = new TestRunner(globalConfig(), {});
    r.failPool = true;
    const rec = record(r);
    await r.runTests([test('passing/pipe.epl')], watcher());
    expect(rec.failure('pipe.epl').message).toContain('pool broke');
    expect(r.pools[0].closed).toBe(1);
  });

  it('says once, at the end, how many wire expectations it could not check and why', async () => {
    const r = new TestRunner(globalConfig(), {});
    r.ranPool = true;
    const rec = record(r);
    await r.runTests([test('wire/wire.epl')], watcher());
    expect(rec.success('wire.epl').numPassingTests).toBe(1);
    expect(r.notes).toEqual([expect.stringMatching(/^@epl\/jest-runner: 2 wire expectation\(s\) \(~>\) were not checked: no CAP_NET_RAW here\n$/)]);
  });

  it('says nothing about the wire when no ~> went unchecked', async () => {
    const r = new TestRunner(globalConfig(), {});
    r.ranPool = true;
    await r.runTests([test('broken/ok.epl')], watcher());
    expect(r.notes).toEqual([]);
  });

  it('starts nothing once jest is interrupted', async () => {
    const r = new TestRunner(globalConfig(), {});
    const rec = record(r);
    await r.runTests([test('passing/pipe.epl')], watcher(true));
    expect(rec.events).toHaveLength(0);
    expect(r.pools[0].closed).toBe(1);
  });

  it('lets a listener unsubscribe', async () => {
    const r = new TestRunner(globalConfig(), {});
    let seen = 0;
    const off = r.on('test-file-start', () => void seen++);
    off();
    await r.runTests([test('passing/pipe.epl')], watcher());
    expect(seen).toBe(0);
  });
});

describe('eachLimit', () => {
  it('runs every item, never more than the limit at once', async () => {
    let running = 0;
    let most = 0;
    const done: number[] = [];
    await eachLimit([1, 2, 3, 4, 5], 2, async (n) => {
      most = Math.max(most, ++running);
      await new Promise((r) => setImmediate(r));
      done.push(n);
      running--;
    });
    expect(done.sort()).toEqual([1, 2, 3, 4, 5]);
    expect(most).toBe(2);
  });
});
