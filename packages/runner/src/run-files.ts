// The engine behind `epl run` (and the jest integration): files and folders in, one report
// per file out. Compile errors are that file's located error; every scenario × family of
// every file runs through one pool. With `retries`, a scenario whose expectations failed runs
// again; a later pass is a pass, marked `flaky` with the first failure.
import * as fs from 'node:fs';
import * as path from 'node:path';
import type { Family, Program, RunResult } from '@epl/program';
import type { CheckResult } from './check';
import { Lane } from './lane';
import { Pool } from './pool';
import { formatFailures } from './report';
import type { FileError, FileReport, Flaky, ScenarioReport } from './report';
import { checkRetries, runRetrying } from './retry';
import type { ProgramPool, Retried } from './retry';

/**
 * Runs of at most this many scenarios (× families) go to a lane (one native thread, see
 * lane.ts) instead of a pool, unless the caller asks for workers or gives a pool: serially, 64
 * founding scenarios take about 6 ms, far less than starting one worker thread.
 */
export const LANE_MAX_SCENARIOS = 64;

export interface RunFilesOptions {
  /**
   * Workers of the pool made for this run (ignored when `pool` is given). When neither is
   * given, a run of at most LANE_MAX_SCENARIOS scenarios runs on a lane, with no worker thread.
   */
  readonly workers?: number;
  /** Run each scenario once per family (default: tcp only). */
  readonly families?: readonly Family[];
  /** Only scenarios whose title contains this text (case-insensitive). */
  readonly filter?: string;
  /** Run on this pool instead of a new one (it is left open). */
  readonly pool?: ProgramPool;
  /**
   * Further attempts for a scenario whose expectations failed (default 0), through the same
   * pool with the same family; an error or a compile error is never retried. A pass on a later
   * attempt passes, with `flaky` set on its report.
   */
  readonly retries?: number;
  /** Called as scenarios complete: how many of how many. */
  readonly progress?: (done: number, total: number) => void;
}

/** A ScenarioReport whose result is decoded on first read (a pass usually never is). */
class Scenario implements ScenarioReport {
  readonly title: string;
  readonly index: number;
  readonly check: CheckResult;
  readonly pass: boolean;
  readonly attempts: number;
  readonly flaky?: Flaky;
  constructor(
    readonly file: string,
    readonly program: Program,
    readonly family: Family,
    private readonly run: Retried,
    flaky?: Flaky,
  ) {
    this.title = program.title;
    this.index = program.index;
    this.check = run.check;
    this.pass = run.check.pass;
    this.attempts = run.attempts;
    if (flaky) this.flaky = flaky;
  }

  get result(): RunResult {
    return this.run.result;
  }
}

interface Compiler {
  compile(source: string, file: string): Program[];
  readSource(path: string): string;
}

/** `*.epl` files under each path (folders recursively, sorted); files as given. */
export async function expandPaths(paths: readonly string[]): Promise<{ files: string[]; missing: string[] }> {
  // Synchronous on purpose: a handful of stat/readdir calls, where promise-based fs costs far
  // more than the calls themselves (it weighs on the start-up of `epl run FILE`).
  const files: string[] = [];
  const missing: string[] = [];
  const walk = (dir: string): void => {
    const entries = fs.readdirSync(dir, { withFileTypes: true }).sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
    for (const e of entries) {
      const p = path.join(dir, e.name);
      if (e.isDirectory()) walk(p);
      else if (e.isFile() && e.name.endsWith('.epl')) files.push(p);
    }
  };
  for (const p of paths) {
    let st;
    try {
      st = fs.statSync(p);
    } catch {
      missing.push(p);
      continue;
    }
    if (st.isDirectory()) walk(p);
    else files.push(p);
  }
  return { files, missing };
}

function located(e: unknown, file: string): FileError {
  if (e && typeof e === 'object' && 'frame' in e && typeof e.frame === 'string') {
    const s = e as { frame: string; line: number; col: number };
    return { message: s.frame, line: s.line, col: s.col };
  }
  return { message: `${file}: ${e instanceof Error ? e.message : String(e)}` };
}

export async function runFiles(paths: readonly string[], opts: RunFilesOptions = {}): Promise<FileReport[]> {
  const families: readonly Family[] = opts.families?.length ? opts.families : ['tcp'];
  const retries = checkRetries(opts.retries ?? 0);
  // Until the run is known to be too big for a lane, a lane's thread gets ready (isolated) while
  // the files compile; past LANE_MAX_SCENARIOS (or at once when workers are asked for) a pool
  // replaces it, its workers starting while the rest compiles.
  let lane: Lane | undefined = opts.pool || opts.workers !== undefined ? undefined : new Lane();
  let own: Pool | undefined;
  const needPool = (): void => {
    if (opts.pool || own) return;
    void lane?.close();
    lane = undefined;
    own = new Pool({ workers: opts.workers });
  };
  if (opts.workers !== undefined) needPool();
  try {
    const { files, missing } = await expandPaths(paths);
    const compiler = require('@epl/compiler') as Compiler;
    const filter = opts.filter?.toLowerCase();
    interface Entry {
      file: string;
      source?: string;
      error?: FileError;
      programs: Program[];
    }
    const entries: Entry[] = missing.map((file) => ({ file, error: { message: `${file}: no such file or folder` }, programs: [] }));
    let scenarios = 0;
    for (const file of files) {
      let source: string;
      try {
        source = compiler.readSource(file);
      } catch (e) {
        entries.push({ file, error: located(e, file), programs: [] });
        continue;
      }
      try {
        let programs = compiler.compile(source, file);
        if (filter !== undefined) programs = programs.filter((p) => p.title.toLowerCase().includes(filter));
        entries.push({ file, source, programs });
        scenarios += programs.length * families.length;
        if (scenarios > LANE_MAX_SCENARIOS) needPool();
      } catch (e) {
        entries.push({ file, source, error: located(e, file), programs: [] });
      }
    }
    const runOn = (opts.pool ?? own ?? lane) as ProgramPool;
    // Every scenario × family, scenario-major within a file.
    const jobs: { entry: Entry; program: Program; family: Family }[] = [];
    for (const entry of entries) for (const program of entry.programs) for (const family of families) jobs.push({ entry, program, family });
    const reports = new Array<ScenarioReport>(jobs.length);
    let done = 0;
    await Promise.all(
      families.map(async (family) => {
        const mine = jobs.map((j, k) => k).filter((k) => jobs[k].family === family);
        for await (const run of runRetrying(
          runOn,
          mine.map((k) => jobs[k].program),
          { family, retries },
        )) {
          const k = mine[run.id];
          const { entry, program } = jobs[k];
          const { check: c, attempts, failed } = run;
          if (c.pass && failed.length > 0) {
            const first: ScenarioReport = {
              file: entry.file,
              title: program.title,
              index: program.index,
              family,
              program,
              result: failed[0].result,
              check: failed[0].check,
              pass: false,
              attempts: 1,
            };
            const flaky = { attempts, firstFailure: formatFailures(first, entry.source), failures: failed[0].check.failures };
            reports[k] = new Scenario(entry.file, program, family, run, flaky);
          } else {
            reports[k] = new Scenario(entry.file, program, family, run);
          }
          opts.progress?.(++done, jobs.length);
        }
      }),
    );
    let k = 0;
    return entries.map((entry) => {
      const scenarios = reports.slice(k, (k += entry.programs.length * families.length));
      const base = { file: entry.file, scenarios, pass: entry.error === undefined && scenarios.every((s) => s.pass) };
      return { ...base, ...(entry.source !== undefined ? { source: entry.source } : {}), ...(entry.error ? { error: entry.error } : {}) };
    });
  } finally {
    await own?.close();
    await lane?.close();
  }
}
