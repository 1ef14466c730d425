// The runner against a fake pool: how many pools, which runs, which jest events. No
// scenario reaches the kernel here (tests/jest.test.ts does that, through a real jest).
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import type { Test, TestEvents } from '@jest/test-result';
import type { Config } from '@jest/types';
import type { TestWatcher } from 'jest-runner';
import { result, step, viewOf } from '@epl/executor/testing';
import type { Job, Ran, Runner } from '@epl/pool';
import type { Program, StepResult } from '@epl/program';
import EplJestRunner from '../src/runner';

const fixtures = path.join(__dirname, 'fixtures');
const title = (j: Job) => (j.program as Program).title;

/**
 * Answers every job, last first (ids must be honoured); titles containing "wrong" come back
 * with an executor error. `ran`: every op returned 0 and no wire was captured, else no op ran.
 */
class FakeRunner implements Runner {
  readonly runs: { titles: string[]; families: string[] }[] = [];
  closed = 0;
  constructor(
    readonly workers: number,
    private readonly fail = false,
    private readonly ran = false,
  ) {}

  async *run(jobs: readonly Job[]): AsyncIterableIterator<Ran> {
    this.runs.push({ titles: jobs.map(title), families: jobs.map((j) => j.family) });
    if (this.fail) throw new Error('pool broke');
    for (let id = jobs.length - 1; id >= 0; id--) {
      const p = jobs[id].program as Program;
      const error = p.title.includes('wrong') ? 'fake executor error' : undefined;
      const steps = this.ran ? p.steps.map(() => step()) : [];
      yield { id, view: viewOf(result(steps, { family: jobs[id].family, captured: false, ...(error ? { error } : {}) })) };
    }
  }
  isolation(): never {
    throw new Error('not asked');
  }
  async close(): Promise<void> {
    this.closed++;
  }
}

/**
 * For the retry logic (not the kernel path: tests/jest.test.ts runs retries on the real
 * kernel). Answers each step as its `=>` asks (an errno, a number, else 0), except: a title
 * containing "flaky" gets ret 1 on every step of its first attempt, one containing "broken" on
 * every attempt. Counts attempts by title.
 */
class RetryRunner implements Runner {
  readonly attempts = new Map<string, number>();
  readonly runs: string[][] = [];
  async *run(jobs: readonly Job[]): AsyncIterableIterator<Ran> {
    this.runs.push(jobs.map(title));
    for (const [id, j] of jobs.entries()) {
      const p = j.program as Program;
      const n = (this.attempts.get(p.title) ?? 0) + 1;
      this.attempts.set(p.title, n);
      const wrong = p.title.includes('broken') || (p.title.includes('flaky') && n === 1);
      const steps: StepResult[] = p.steps.map((s) =>
        wrong
          ? step({ ret: 1 })
          : s.expect?.kind === 'errno'
            ? step({ ret: -1, errno: s.expect.code })
            : step({ ret: s.expect?.kind === 'number' ? s.expect.value : 0 }),
      );
      yield { id, view: viewOf(result(steps, { family: j.family })) };
    }
  }
  isolation(): never {
    throw new Error('not asked');
  }
  async close(): Promise<void> {}
}

class TestRunner extends EplJestRunner {
  readonly pools: FakeRunner[] = [];
  readonly retryPools: RetryRunner[] = [];
  readonly notes: string[] = [];
  failPool = false;
  ranPool = false;
  retryPool = false;
  protected override createRunner(workers: number): Runner {
    if (this.retryPool) {
      const p = new RetryRunner();
      this.retryPools.push(p);
      return p;
    }
    const p = new FakeRunner(workers, this.failPool, this.ranPool);
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
  for (const name of names) runner.on(name, (data) => void events.push({ name, data }));
  return {
    events,
    success: (base: string) =>
      events.find((e) => e.name === 'test-file-success' && path.basename((e.data[0] as Test).path) === base)?.data[1] as TestEvents['test-file-success'][1],
    failure: (base: string) =>
      events.find((e) => e.name === 'test-file-failure' && path.basename((e.data[0] as Test).path) === base)?.data[1] as TestEvents['test-file-failure'][1],
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
    expect(() => new EplJestRunner(globalConfig(), {}, { retries: -1 })).toThrow(/'retries' must be a whole number/);
    expect(() => new EplJestRunner(globalConfig({ rootDir: '/tmp' }), {}, { html: '' })).toThrow(/'html' must be the path of a file, got ""/);
    expect(() => new EplJestRunner(globalConfig({ rootDir: '/tmp' }), {}, { html: true })).toThrow(/'html' must be the path of a file, got true/);
  });

  it('with html, writes every scenario run of the jest run to one page (relative to rootDir); a file it cannot write fails the run', async () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'epl-jest-html-'));
    try {
      const r = new TestRunner(globalConfig({ rootDir: dir }), {}, { html: 'report.html' });
      r.ranPool = true;
      record(r);
      await r.runTests([test('passing/stream.epl'), test('failing/bad.epl')], watcher());
      const html = readFileSync(path.join(dir, 'report.html'), 'utf8');
      expect(html).toMatch(/^<!DOCTYPE html>/);
      expect(html).toContain(`<title>jest: ${path.basename(dir)}</title>`);
      // Every scenario of both files, under the file names the test titles use, with what came of it.
      for (const t of ['read what was written', 'deliberately wrong', 'both ends writable']) expect(html).toContain(`<span class="title">${t}</span>`);
      expect(html).toContain('<span class="where">bad.epl:9</span>');
      expect(html).toContain('<b>error</b> the scenario did not run to its end: fake executor error');
      const bad = new TestRunner(globalConfig({ rootDir: dir }), {}, { html: 'no/such/folder/x.html' });
      record(bad);
      await bad.runTests([test('failing/bad.epl')], watcher());
      expect(bad.notes).toEqual([`@epl/jest-runner: cannot write the HTML report ${path.join(dir, 'no/such/folder/x.html')}: ENOENT\n`]);
      expect(process.exitCode).toBe(1);
    } finally {
      process.exitCode = undefined;
      rmSync(dir, { recursive: true, force: true });
    }
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
    expect(r.pools[0].runs.map((x) => x.families)).toEqual([['tcp', 'unix']]);
    expect(rec.success('pipe.epl').testResults.map((t) => t.title)).toEqual(['pipe [tcp]', 'pipe [unix]']);
  });

  it('takes the matrix per project, and still runs every project on one pool', async () => {
    const r = new TestRunner(globalConfig(), {});
    const rec = record(r);
    await r.runTests([test('passing/pipe.epl', project('passing', { eplFamilies: ['tcp6', 'unix'] })), test('broken/ok.epl')], watcher());
    expect(r.pools).toHaveLength(1);
    expect(rec.success('pipe.epl').testResults.map((t) => t.title)).toEqual(['pipe [tcp6]', 'pipe [unix]']);
    expect(rec.success('ok.epl').testResults.map((t) => t.title)).toEqual(['ok']);
    expect(r.pools[0].runs.map((x) => x.families)).toEqual(expect.arrayContaining([['tcp6', 'unix'], ['tcp']]));
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
    expect(r.notes).toEqual([expect.stringMatching(/^@epl\/jest-runner: 2 wire expectation\(s\) \(~>\) were not checked: no CAP_NET_RAW\n$/)]);
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
    const off = r.on('test-file-start', () => {
      seen++;
    });
    off();
    await r.runTests([test('passing/pipe.epl')], watcher());
    expect(seen).toBe(0);
  });
});

describe('EplJestRunner with retries', () => {
  const retrying = (retries?: number) => {
    const r = new TestRunner(globalConfig(), {}, retries === undefined ? {} : { retries });
    r.retryPool = true;
    return r;
  };

  it("a scenario that fails once and then passes is a passed test, with jest's invocations and retry reason", async () => {
    const r = retrying(2);
    const rec = record(r);
    await r.runTests([test('retry/flaky.epl')], watcher());
    const res = rec.success('flaky.epl');
    expect(res.testResults.map((t) => [t.title, t.status, t.invocations])).toEqual([
      ['flaky: write after the peer closed', 'passed', 2],
      ['steady', 'passed', undefined],
    ]);
    const [flaky] = res.testResults;
    expect(flaky.failureMessages).toEqual([]);
    expect(flaky.retryReasons).toHaveLength(1);
    expect(flaky.retryReasons?.[0]).toMatch(/^flaky\.epl:8:3: scenario "flaky: write after the peer closed": => expectation failed\n/);
    expect(flaky.retryReasons?.[0]).toContain('expected: => EPIPE\n  got:      => 1');
    expect(res.numPassingTests).toBe(2);
    expect(r.retryPools[0].attempts.get('flaky: write after the peer closed')).toBe(2);
  });

  it('says at the end which scenarios passed only after failing, where and how they first failed', async () => {
    const r = retrying(2);
    record(r);
    await r.runTests([test('retry/flaky.epl'), test('retry/broken.epl')], watcher());
    expect(r.notes).toEqual([
      '@epl/jest-runner: 1 scenario passed only after failing (flaky; retries: 2):\n' +
        '  flaky.epl › flaky: write after the peer closed: passed on attempt 2; attempt 1 failed at flaky.epl:8:3 expected => EPIPE, got => 1\n',
    ]);
  });

  it('a scenario that fails every attempt fails after retries + 1, and says so', async () => {
    const r = retrying(2);
    const rec = record(r);
    await r.runTests([test('retry/broken.epl')], watcher());
    const [broken] = rec.success('broken.epl').testResults;
    expect([broken.status, broken.invocations, broken.retryReasons?.length]).toEqual(['failed', 3, 2]);
    expect(broken.failureMessages[0]).toMatch(/expected:\s+=> 3\n\s+got:\s+=> 1/);
    expect(broken.failureMessages[0]).toMatch(/\n\n\(failed all 3 attempts, retries: 2; the last is shown\)$/);
    expect(r.notes).toEqual([]);
  });

  it('never retries a run that errored, nor without the option', async () => {
    const r = new TestRunner(globalConfig(), {}, { retries: 3 });
    r.ranPool = true;
    const rec = record(r);
    await r.runTests([test('failing/bad.epl')], watcher());
    // "deliberately wrong" comes back from FakePool with an error: one run, no retry. "read what
    // was written" fails its `=> "a"` (FakePool reads nothing): run 1 + 3 retries.
    expect(r.pools[0].runs.map((x) => x.titles)).toEqual([
      ['read what was written', 'deliberately wrong'],
      ...Array<string[]>(3).fill(['read what was written']),
    ]);
    const [read, wrong] = rec.success('bad.epl').testResults;
    expect([read.status, read.invocations, wrong.status, wrong.invocations]).toEqual(['failed', 4, 'failed', undefined]);
    expect(wrong.failureMessages[0]).toContain('fake executor error');

    const once = retrying();
    const rec2 = record(once);
    await once.runTests([test('retry/flaky.epl')], watcher());
    expect(rec2.success('flaky.epl').testResults[0]).toMatchObject({ status: 'failed' });
    expect(once.retryPools[0].runs).toHaveLength(1);
    expect(once.notes).toEqual([]);
  });
});
