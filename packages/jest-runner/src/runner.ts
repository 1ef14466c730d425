// The jest runner for .epl files. Jest gives it every test path of the run (after
// `--shard`, `-t` path filters and its ordering); it compiles each file, runs the
// scenarios on ONE @epl/runner Pool shared by the whole run, and reports one TestResult
// per file with one assertion result per scenario (× family).
//
// `isSerial` keeps jest from forking its own workers for these files: parallelism comes
// from the pool's worker threads, each an isolated "process" (own fd table, own netns).
// A jest worker per file would each start a pool of its own.
import { promises as fs } from 'node:fs';
import * as path from 'node:path';
import type { Test, TestEvents, TestResult, SerializableError } from '@jest/test-result';
import type { Config } from '@jest/types';
import type { EmittingTestRunnerInterface, TestRunnerContext, TestRunnerOptions, TestWatcher, UnsubscribeFn } from 'jest-runner';
import type { Family, Program } from '@epl/program';
import { compile, decodeSource } from '@epl/compiler';
import { Pool, runRetrying, type Failure, type ProgramPool, type Retried } from '@epl/runner';
import { resolveFamilies, resolveRetries, resolveWorkers } from './options';
import { caseTitle, fileError, fileResult, fullName, type ScenarioOutcome } from './report';
import { attemptText, judge } from './judge';

type Listener<N extends keyof TestEvents> = (data: TestEvents[N]) => void | Promise<void>;

type FileOutcome = { readonly ok: true; readonly result: TestResult } | { readonly ok: false; readonly error: SerializableError };

/** The pool the runner needs; a seam so tests can count pools without running any. */
export interface RunnerPool extends ProgramPool {
  close(): Promise<void>;
}

/** A scenario that passed after failing, for the note at the end of the run. */
export interface FlakyPass {
  /** The test: `file › title [family]`. */
  readonly name: string;
  readonly attempts: number;
  /** The first attempt's failed expectations. */
  readonly failures: readonly Failure[];
}

export default class EplJestRunner implements EmittingTestRunnerInterface {
  readonly isSerial = true;
  readonly supportsEventEmitters = true;

  private readonly workers: number;
  private readonly retries: number;
  private readonly listeners = new Map<keyof TestEvents, Set<Listener<keyof TestEvents>>>();

  constructor(
    private readonly globalConfig: Config.GlobalConfig,
    _context?: TestRunnerContext,
    options?: Record<string, unknown>,
  ) {
    this.workers = resolveWorkers(options, globalConfig.maxWorkers);
    this.retries = resolveRetries(options);
  }

  on<N extends keyof TestEvents>(eventName: N, listener: Listener<N>): UnsubscribeFn {
    let set = this.listeners.get(eventName);
    if (!set) this.listeners.set(eventName, (set = new Set()));
    const l = listener as unknown as Listener<keyof TestEvents>;
    set.add(l);
    return () => void set.delete(l);
  }

  private async emit<N extends keyof TestEvents>(eventName: N, data: TestEvents[N]): Promise<void> {
    for (const l of this.listeners.get(eventName) ?? []) await l(data);
  }

  /** `~>` expectations this run could not compare, and why (reported once, at the end). */
  private wire = { unchecked: 0, reasons: new Set<string>() };
  /** Scenarios that passed only after a retry (reported once, at the end). */
  private flaky: FlakyPass[] = [];

  /** Overridden by tests; the real thing is one @epl/runner Pool. */
  protected createPool(workers: number): RunnerPool {
    return new Pool({ workers });
  }

  async runTests(tests: Test[], watcher: TestWatcher, _options?: TestRunnerOptions): Promise<void> {
    if (tests.length === 0) return;
    // Each project's matrix, checked before anything runs: a bad config fails the run at once.
    const families = new Map<Config.ProjectConfig, readonly (Family | undefined)[]>();
    for (const { context } of tests) {
      if (!families.has(context.config)) families.set(context.config, resolveFamilies(context.config.testEnvironmentOptions) ?? [undefined]);
    }
    // --collectTests lists tests without running them: no pool at all.
    const pool = this.globalConfig.collectTests ? undefined : this.createPool(this.workers);
    this.wire = { unchecked: 0, reasons: new Set() };
    this.flaky = [];
    try {
      // Enough files in flight to keep every pool worker busy across file boundaries,
      // few enough that jest's "RUNS" lines mean something.
      await eachLimit(tests, Math.max(2, this.workers * 2), async (test) => {
        if (watcher.isInterrupted()) return;
        await this.emit('test-file-start', [test]);
        const outcome = await this.runFile(test, families.get(test.context.config) ?? [undefined], pool);
        if (watcher.isInterrupted()) return;
        if (!outcome.ok) return this.emit('test-file-failure', [test, outcome.error]);
        for (const c of outcome.result.testResults) await this.emit('test-case-result', [test.path, c]);
        await this.emit('test-file-success', [test, outcome.result]);
      });
    } finally {
      await pool?.close();
    }
    // A test that passed on its `=>` alone must not look like a full check: say so once.
    if (this.wire.unchecked > 0) {
      const why = [...this.wire.reasons].join('; ') || 'the wire was not captured';
      this.note(`@epl/jest-runner: ${this.wire.unchecked} wire expectation(s) (~>) were not checked: ${why}\n`);
    }
    // A pass after a failure is a passed test, but never a silent one.
    if (this.flaky.length > 0) this.note(flakyNote(this.flaky, this.retries));
  }

  /** Where the end-of-run note goes; jest's reporters own stdout (`--json`), so stderr. */
  protected note(text: string): void {
    process.stderr.write(text);
  }

  /** `families`: the project's matrix, `[undefined]` for one run with the pool's default. */
  private async runFile(test: Test, families: readonly (Family | undefined)[], pool: RunnerPool | undefined): Promise<FileOutcome> {
    const config = test.context.config;
    const file = path.relative(config.rootDir, test.path) || path.basename(test.path);
    const start = Date.now();
    let source: string;
    let programs: Program[];
    try {
      source = decodeSource(await fs.readFile(test.path), file);
      programs = compile(source, file);
    } catch (e) {
      return { ok: false, error: locatedError(e) };
    }

    const pattern = this.globalConfig.testNamePattern ? new RegExp(this.globalConfig.testNamePattern, 'i') : undefined;
    // One cell per scenario × family, in file order with a scenario's families together.
    const cells = programs.flatMap((program) =>
      families.map((family) => {
        const title = caseTitle(program.title, family);
        return { program, family, title, selected: !pattern || pattern.test(fullName(file, title)) };
      }),
    );

    let outcomes: ScenarioOutcome[];
    if (!pool) {
      outcomes = cells.map((c) => (c.selected ? { title: c.title, status: 'passed', wouldRun: true } : { title: c.title, status: 'pending' }));
    } else {
      try {
        const results = await Promise.all(
          families.map((family) =>
            runAll(
              pool,
              cells.filter((c) => c.selected && c.family === family).map((c) => c.program),
              family,
              this.retries,
            ),
          ),
        );
        outcomes = cells.map((c) => {
          if (!c.selected) return { title: c.title, status: 'pending' };
          const run = results[families.indexOf(c.family)].get(c.program);
          const { wireUnchecked, wireReason, ...verdict } = judge(c.program, run, source);
          this.wire.unchecked += wireUnchecked;
          if (wireReason) this.wire.reasons.add(wireReason);
          if (!run || run.failed.length === 0) return { title: c.title, ...verdict };
          if (verdict.status === 'passed') this.flaky.push({ name: `${file} › ${c.title}`, attempts: run.attempts, failures: run.failed[0].check.failures });
          const retryReasons = run.failed.map((a) => attemptText(c.program, a, source));
          const message =
            verdict.message !== undefined
              ? `${verdict.message}\n\n(failed all ${run.attempts} attempts, retries: ${this.retries}; the last is shown)`
              : undefined;
          return { title: c.title, ...verdict, ...(message !== undefined ? { message } : {}), attempts: run.attempts, retryReasons };
        });
      } catch (e) {
        // The pool itself failed (not a scenario: those come back as results with `error`).
        return { ok: false, error: fileError(e instanceof Error ? (e.stack ?? e.message) : String(e), 'PoolError') };
      }
    }

    const result = fileResult(test.path, file, outcomes, { start, end: Date.now(), slowSeconds: config.slowTestThreshold });
    return { ok: true, result: { ...result, displayName: config.displayName } };
  }
}

/** Run programs on the pool, failures again up to `retries` times; the final runs by program. */
async function runAll(pool: RunnerPool, programs: Program[], family: Family | undefined, retries: number): Promise<Map<Program, Retried>> {
  const byProgram = new Map<Program, Retried>();
  if (programs.length === 0) return byProgram;
  for await (const run of runRetrying(pool, programs, { family, retries })) byProgram.set(programs[run.id], run);
  return byProgram;
}

/** The end-of-run note: each scenario that passed after failing, where and how it first failed. */
export function flakyNote(flaky: readonly FlakyPass[], retries: number): string {
  const n = flaky.length;
  const lines = [`@epl/jest-runner: ${n} scenario${n === 1 ? '' : 's'} passed only after failing (flaky; retries: ${retries}):`];
  for (const f of flaky) {
    const first = f.failures.map((x) => {
      const arrow = x.kind === 'wire' ? '~>' : '=>';
      return `${x.file}:${x.line}:${x.col} expected ${arrow} ${x.expected}, got ${arrow} ${x.got}`;
    });
    lines.push(`  ${f.name}: passed on attempt ${f.attempts}; attempt 1 failed at ${first.join('; at ')}`);
  }
  return lines.join('\n') + '\n';
}

/** A compile error becomes the file's failure, its message the located frame; anything else keeps its stack. */
function locatedError(e: unknown): SerializableError {
  if (e && typeof e === 'object' && typeof (e as { frame?: unknown }).frame === 'string') {
    return fileError((e as { frame: string }).frame);
  }
  // Not a located error: a compiler bug. Still the file's failure, never the run's crash.
  return fileError(e instanceof Error ? (e.stack ?? e.message) : String(e), 'Error');
}

/** Run `fn` over `items` with at most `limit` at once, in order of start. */
export async function eachLimit<T>(items: readonly T[], limit: number, fn: (item: T) => Promise<void>): Promise<void> {
  let next = 0;
  const lane = async () => {
    while (next < items.length) await fn(items[next++]);
  };
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, lane));
}
