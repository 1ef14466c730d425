// The jest runner for .epl files. Jest gives it every test path of the run (after `--shard`,
// path filters and its ordering); it runs them through @epl/runner's runFiles on ONE Runner
// shared by the whole run (a pool, each worker an isolated "process": own fd table, own netns),
// and reports one TestResult per file with one assertion result per scenario (× family).
// `isSerial` keeps jest from forking workers of its own: each would start a pool.
import * as fs from 'node:fs';
import * as path from 'node:path';
import type { Test, TestEvents, TestResult, SerializableError } from '@jest/test-result';
import type { Config } from '@jest/types';
import type { EmittingTestRunnerInterface, TestRunnerContext, TestRunnerOptions, TestWatcher, UnsubscribeFn } from 'jest-runner';
import { FAMILIES, type Family } from '@epl/program';
import { compile, decodeSource } from '@epl/compiler';
import { Pool, type Runner } from '@epl/pool';
import type { Failure } from '@epl/check';
import { runFiles, type FileResult } from '@epl/runner';
import { renderHtml, toRecord, type ScenarioRecord } from '@epl/report';
import { resolveFamilies, resolveHtml, resolveRetries, resolveWorkers } from './options';
import { caseTitle, fileError, fileResult, fullName, type ScenarioOutcome } from './report';
import { judge } from './judge';

type Listener<N extends keyof TestEvents> = (data: TestEvents[N]) => void | Promise<void>;

/** A scenario that passed after failing, for the note at the end of the run. */
export interface FlakyPass {
  /** The test: `file › title [family]`. */
  readonly name: string;
  readonly attempts: number;
  /** The first attempt's failed expectations, as text. */
  readonly failures: readonly { file: string; line: number; col: number; kind: Failure['kind']; expected: string; got: string }[];
}

export default class EplJestRunner implements EmittingTestRunnerInterface {
  readonly isSerial = true;
  readonly supportsEventEmitters = true;

  private readonly workers: number;
  private readonly retries: number;
  /** The HTML report's file, when the `html` option asks for one. */
  private readonly html: string | undefined;
  private readonly listeners = new Map<keyof TestEvents, Set<Listener<keyof TestEvents>>>();

  constructor(
    private readonly globalConfig: Config.GlobalConfig,
    _context?: TestRunnerContext,
    options?: Record<string, unknown>,
  ) {
    this.workers = resolveWorkers(options, globalConfig.maxWorkers);
    this.retries = resolveRetries(options);
    this.html = resolveHtml(options, globalConfig.rootDir);
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
  /** With `html`: the records of every scenario run, and the sources of their files. */
  private records: ScenarioRecord[] = [];
  private sources = new Map<string, string>();

  /** Overridden by tests; the real thing is one @epl/pool Pool. */
  protected createRunner(workers: number): Runner {
    return new Pool({ workers });
  }

  async runTests(tests: Test[], watcher: TestWatcher, _options?: TestRunnerOptions): Promise<void> {
    if (tests.length === 0) return;
    // Each project's matrix, checked before anything runs: a bad config fails the run at once.
    const groups = new Map<Config.ProjectConfig, { families: readonly (Family | undefined)[]; tests: Test[] }>();
    for (const test of tests) {
      const config = test.context.config;
      let g = groups.get(config);
      if (!g) groups.set(config, (g = { families: resolveFamilies(config.testEnvironmentOptions) ?? [undefined], tests: [] }));
      g.tests.push(test);
    }
    this.wire = { unchecked: 0, reasons: new Set() };
    this.flaky = [];
    this.records = [];
    this.sources = new Map();
    // --collectTests lists tests without running them: no pool at all.
    if (this.globalConfig.collectTests) {
      for (const g of groups.values()) for (const test of g.tests) await this.report(test, this.listed(test, g.families));
      return;
    }
    const runner = this.createRunner(this.workers);
    const stop = new AbortController();
    try {
      await Promise.all([...groups.values()].map((g) => this.runGroup(g.tests, g.families, runner, watcher, stop)));
    } finally {
      await runner.close();
    }
    // A test that passed on its `=>` alone must not look like a full check: say so once.
    if (this.wire.unchecked > 0) {
      const why = [...this.wire.reasons].join('; ') || 'the wire was not captured';
      this.note(`@epl/jest-runner: ${this.wire.unchecked} wire expectation(s) (~>) were not checked: ${why}\n`);
    }
    // A pass after a failure is a passed test, but never a silent one.
    if (this.flaky.length > 0) this.note(flakyNote(this.flaky, this.retries));
    if (this.html !== undefined) this.writeHtml(this.html);
  }

  /**
   * The `html` option: the page of every scenario run. A file that cannot be written is one line
   * on stderr and fails the run: every test has been reported by then, so the exit status says it
   * (a runner that threw here would cost jest its report of the run).
   */
  private writeHtml(file: string): void {
    try {
      fs.writeFileSync(file, renderHtml(this.records, { title: `jest: ${path.basename(this.globalConfig.rootDir)}`, sources: this.sources }));
    } catch (e) {
      const err = e as NodeJS.ErrnoException;
      this.note(`@epl/jest-runner: cannot write the HTML report ${file}: ${err.code ?? err.message}\n`);
      process.exitCode = 1;
    }
  }

  /** Where the end-of-run note goes; jest's reporters own stdout (`--json`), so stderr. */
  protected note(text: string): void {
    process.stderr.write(text);
  }

  /** One project's files through runFiles: each reported as it completes, the next one marked as running. */
  private async runGroup(tests: Test[], families: readonly (Family | undefined)[], runner: Runner, watcher: TestWatcher, stop: AbortController): Promise<void> {
    const config = tests[0].context.config;
    const name = (t: Test) => path.relative(config.rootDir, t.path) || path.basename(t.path);
    const byName = new Map(tests.map((t) => [name(t), t]));
    const pattern = this.globalConfig.testNamePattern ? new RegExp(this.globalConfig.testNamePattern, 'i') : undefined;
    const matrix = families.some((f) => f !== undefined);
    const select = pattern
      ? (file: string, p: { title: string }, family: Family) => pattern.test(fullName(file, caseTitle(p.title, matrix ? family : undefined)))
      : undefined;
    if (watcher.isInterrupted()) return;
    let next = 0;
    const started = new Map<string, number>();
    const start = async () => {
      if (next < tests.length) {
        started.set(name(tests[next]), Date.now());
        await this.emit('test-file-start', [tests[next++]]);
      }
    };
    await start();
    try {
      for await (const f of runFiles(
        tests.map((t) => ({ path: t.path, name: name(t) })),
        {
          runner,
          families: families.map((x) => x ?? 'tcp'),
          retries: this.retries,
          select,
          signal: stop.signal,
          ...(this.html !== undefined ? { keep: 'all' as const } : {}),
        },
      )) {
        if (watcher.isInterrupted()) {
          stop.abort();
          return;
        }
        const test = byName.get(f.file);
        if (!test) continue;
        if (this.html !== undefined) {
          for (const s of f.scenarios) this.records.push(toRecord(s, f.source));
          if (f.source !== undefined) this.sources.set(f.file, f.source);
        }
        while (!started.has(f.file)) await start();
        await start();
        await this.report(test, this.outcomes(f, matrix), started.get(f.file));
      }
    } catch (e) {
      // The runner itself failed (not a scenario: those come back as outcomes).
      for (const t of tests) await this.emit('test-file-failure', [t, fileError(e instanceof Error ? (e.stack ?? e.message) : String(e), 'PoolError')]);
    }
  }

  /** The jest outcome of each scenario × family of a file that ran. */
  private outcomes(f: FileResult, matrix: boolean): { ok: true; outcomes: ScenarioOutcome[] } | { ok: false; error: SerializableError } {
    if (f.error) return { ok: false, error: f.error.line !== undefined ? fileError(f.error.message) : fileError(f.error.message, 'Error') };
    const outcomes: ScenarioOutcome[] = [];
    const title = (t: string, family: Family) => caseTitle(t, matrix ? family : undefined);
    // In file order: each scenario's families together, the ones -t left out as pending.
    const order = (p: { index: number }, family: Family) => p.index * FAMILIES.length + FAMILIES.indexOf(family);
    const rows: { at: number; outcome: ScenarioOutcome }[] = [];
    for (const s of f.scenarios) {
      const v = judge(s, f.source ?? '', this.retries);
      this.wire.unchecked += v.wireUnchecked;
      if (v.wireReason) this.wire.reasons.add(v.wireReason);
      if (v.flaky) this.flaky.push({ name: `${f.file} › ${title(s.program.title, s.family)}`, attempts: s.attempts, failures: v.flaky });
      rows.push({ at: order(s.program, s.family), outcome: { title: title(s.program.title, s.family), ...v.outcome } });
    }
    for (const s of f.skipped) rows.push({ at: order(s.program, s.family), outcome: { title: title(s.program.title, s.family), status: 'pending' } });
    outcomes.push(...rows.sort((a, b) => a.at - b.at).map((r) => r.outcome));
    return { ok: true, outcomes };
  }

  /** `--collectTests`: the scenarios a file would run, none run. */
  private listed(test: Test, families: readonly (Family | undefined)[]): { ok: true; outcomes: ScenarioOutcome[] } | { ok: false; error: SerializableError } {
    const file = path.relative(test.context.config.rootDir, test.path) || path.basename(test.path);
    const pattern = this.globalConfig.testNamePattern ? new RegExp(this.globalConfig.testNamePattern, 'i') : undefined;
    try {
      const programs = compile(decodeSource(fs.readFileSync(test.path), file), file);
      return {
        ok: true,
        outcomes: programs.flatMap((p) =>
          families.map((family) => {
            const t = caseTitle(p.title, family);
            return !pattern || pattern.test(fullName(file, t))
              ? { title: t, status: 'passed' as const, wouldRun: true }
              : { title: t, status: 'pending' as const };
          }),
        ),
      };
    } catch (e) {
      const frame = (e as { frame?: unknown }).frame;
      return { ok: false, error: typeof frame === 'string' ? fileError(frame) : fileError(e instanceof Error ? (e.stack ?? e.message) : String(e), 'Error') };
    }
  }

  private async report(test: Test, r: { ok: true; outcomes: ScenarioOutcome[] } | { ok: false; error: SerializableError }, start = Date.now()): Promise<void> {
    if (!r.ok) return this.emit('test-file-failure', [test, r.error]);
    const config = test.context.config;
    const file = path.relative(config.rootDir, test.path) || path.basename(test.path);
    const result: TestResult = {
      ...fileResult(test.path, file, r.outcomes, { start, end: Date.now(), slowSeconds: config.slowTestThreshold }),
      displayName: config.displayName,
    };
    for (const c of result.testResults) await this.emit('test-case-result', [test.path, c]);
    await this.emit('test-file-success', [test, result]);
  }
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
