// The file orchestrator behind `epl run`, `record`, `explain` and the jest runner: paths in,
// one result per file out, in the order given, each as soon as all of its scenarios are final.
// Every scenario × family of every file runs through one Runner (a pool, or for a small run a
// lane); with retries, a scenario whose expectations failed runs again at once, and a later
// pass is a pass marked flaky with its first attempt. Memory stays bounded: each result is
// checked as it arrives and its bytes are kept only where asked (failures always).
import { check, lost, type Outcome } from '@epl/check';
import { Lane, Pool, type Isolation, type Job, type Ran, type Runner } from '@epl/pool';
import type { ResultView } from '@epl/executor';
import type { Family, Program } from '@epl/program';
import { expandPaths } from './paths';

type Compiler = typeof import('@epl/compiler');

/**
 * Runs of at most this many scenarios (× families) go to a lane (one native thread) instead of
 * a pool, unless the caller asks for workers or gives a runner: a worker thread's start costs
 * more than such a run.
 */
export const LANE_MAX_SCENARIOS = 64;

/** Retries allowed per scenario, at most. */
export const MAX_RETRIES = 100;

/** Results waiting for an earlier file before the run stops taking more (memory stays bounded). */
const MAX_WAITING = 4096;

export interface RunFilesOptions {
  /** Run each scenario once per family (default: tcp only). */
  readonly families?: readonly Family[];
  /** Only scenarios whose title contains this text (case-insensitive). */
  readonly filter?: string;
  /** Only the scenario runs this accepts (the jest runner's name pattern); the others are `skipped`. */
  readonly select?: (file: string, program: Program, family: Family) => boolean;
  /**
   * Further attempts for a scenario whose expectations failed (default 0); an error, a lost
   * scenario and a compile error are never retried.
   */
  readonly retries?: number;
  /** Run on this runner (left open). Without one, a lane or a pool of `workers` is made and closed. */
  readonly runner?: Runner;
  /** Workers of the pool made for this run; when neither this nor `runner` is given, a small run takes a lane. */
  readonly workers?: number;
  /** Keep the results of every scenario (`all`: transcripts, JSON, record) or only of those that did not pass. */
  readonly keep?: 'failures' | 'all';
  /** Called as scenario runs become final: how many of how many. */
  readonly progress?: (done: number, total: number) => void;
  /** Called once, when what the threads obtained is known (namespace, capture). */
  readonly isolation?: (iso: Isolation) => void;
  /** Stops the run: nothing more starts; files not complete are not yielded. */
  readonly signal?: AbortSignal;
}

/** A path, or a path and the name reports give it (the jest runner names files from its root). */
export type FileEntry = string | { readonly path: string; readonly name: string };

/** One scenario run with one family, final. */
export interface ScenarioRun {
  readonly file: string;
  readonly program: Program;
  readonly family: Family;
  readonly outcome: Outcome;
  /** Its results, when kept: always for a scenario that did not pass, for every one with `keep: 'all'`. */
  readonly view?: ResultView;
  /** Runs made: 1, or more when earlier attempts failed an expectation. */
  readonly attempts: number;
  /** Present when it passed after failing: the first attempt. */
  readonly flaky?: { readonly attempts: number; readonly first: Attempt };
  /** The attempts before the last one (each failed an expectation); absent after one attempt. */
  readonly earlier?: readonly Attempt[];
}

/** One failed attempt of a scenario that was run again. */
export interface Attempt {
  readonly outcome: Outcome;
  readonly view?: ResultView;
}

/** Why a file could not run: a located compile error, or a file that could not be read. */
export interface FileError {
  /** `file:line:col: reason` with the quoted line and caret, or `file: reason` without a location. */
  readonly message: string;
  readonly line?: number;
  readonly col?: number;
}

export interface FileResult {
  readonly file: string;
  /** The text of the file (absent when it could not be read). */
  readonly source?: string;
  readonly error?: FileError;
  /** Every selected scenario × family, scenario-major (families of a scenario together). */
  readonly scenarios: readonly ScenarioRun[];
  /** Scenario runs `select` left out. */
  readonly skipped: readonly { readonly program: Program; readonly family: Family }[];
}

/** Throws on a retry count that is not a whole number from 0 to MAX_RETRIES. */
export function checkRetries(retries: number): number {
  if (!Number.isInteger(retries) || retries < 0 || retries > MAX_RETRIES) {
    throw new RangeError(`retries must be a whole number from 0 to ${MAX_RETRIES} (got ${String(retries)})`);
  }
  return retries;
}

function located(e: unknown, file: string): FileError {
  if (e && typeof e === 'object' && 'frame' in e && typeof e.frame === 'string') {
    const s = e as { frame: string; line: number; col: number };
    return { message: s.frame, line: s.line, col: s.col };
  }
  return { message: `${file}: ${e instanceof Error ? e.message : String(e)}` };
}

interface Entry {
  readonly file: string;
  readonly source?: string;
  readonly error?: FileError;
  readonly programs: Program[];
  readonly skipped: { program: Program; family: Family }[];
  /** Index of its first job. */
  first: number;
  /** Jobs not final yet. */
  pending: number;
}

interface JobState {
  readonly entry: Entry;
  readonly job: Job & { readonly program: Program };
  attempts: number;
  earlier?: Attempt[];
  final?: ScenarioRun;
}

/** Reads and compiles every file; the jobs of each, in order. */
function prepare(
  entries: readonly FileEntry[],
  opts: RunFilesOptions,
  families: readonly Family[],
  grow: (n: number) => void,
): { files: Entry[]; jobs: JobState[] } {
  const named = entries.map((e) => (typeof e === 'string' ? { path: e, name: e } : e));
  const { files, errors } = expandPaths(named.map((e) => e.path));
  const nameOf = new Map(named.map((e) => [e.path, e.name]));
  const compiler = require('@epl/compiler') as Compiler;
  const filter = opts.filter?.toLowerCase();
  const out: Entry[] = errors.map((x) => ({ file: x.path, error: { message: `${x.path}: ${x.message}` }, programs: [], skipped: [], first: 0, pending: 0 }));
  const jobs: JobState[] = [];
  for (const p of files) {
    const file = nameOf.get(p) ?? p;
    let source: string;
    try {
      // As bytes: invalid UTF-8 is a located error naming the byte, a BOM is skipped.
      source = compiler.readSource(p);
    } catch (e) {
      out.push({ file, error: located(e, file), programs: [], skipped: [], first: 0, pending: 0 });
      continue;
    }
    let programs: Program[];
    try {
      programs = compiler.compile(source, file);
    } catch (e) {
      out.push({ file, source, error: located(e, file), programs: [], skipped: [], first: 0, pending: 0 });
      continue;
    }
    if (filter !== undefined) programs = programs.filter((q) => q.title.toLowerCase().includes(filter));
    const entry: Entry = { file, source, programs, skipped: [], first: jobs.length, pending: 0 };
    for (const program of programs)
      for (const family of families) {
        if (opts.select && !opts.select(file, program, family)) entry.skipped.push({ program, family });
        else jobs.push({ entry, job: { program, family }, attempts: 0 });
      }
    entry.pending = jobs.length - entry.first;
    out.push(entry);
    grow(jobs.length);
  }
  return { files: out, jobs };
}

/** Runs every scenario of every file; yields each file's result in the order given, when complete. */
export async function* runFiles(paths: readonly FileEntry[], opts: RunFilesOptions = {}): AsyncGenerator<FileResult> {
  const families: readonly Family[] = opts.families?.length ? opts.families : ['tcp'];
  const retries = checkRetries(opts.retries ?? 0);
  const keepAll = opts.keep === 'all';
  // Until the run is known to be too big for a lane, a lane's thread gets ready (isolated) while
  // the files compile; past LANE_MAX_SCENARIOS (or at once when workers are asked for) a pool
  // replaces it, its workers starting while the rest compiles.
  let own: Runner | undefined = opts.runner || opts.workers !== undefined ? undefined : new Lane();
  const usePool = () => {
    if (opts.runner || own instanceof Pool) return;
    void own?.close();
    own = new Pool({ workers: opts.workers });
  };
  if (opts.workers !== undefined) usePool();
  try {
    const { files, jobs } = prepare(paths, opts, families, (n) => n > LANE_MAX_SCENARIOS && usePool());
    const runner = (opts.runner ?? own) as Runner;
    const total = jobs.length;
    let done = 0;
    let waiting = 0;
    let wake: (() => void) | undefined;
    let room: (() => void) | undefined;
    let failure: Error | undefined;
    const fail = (e: unknown) => (failure ??= e instanceof Error ? e : new Error(String(e)));
    let isolated: Promise<void> | undefined;

    const settle = (k: number, run: ScenarioRun) => {
      const s = jobs[k];
      s.final = run;
      s.entry.pending--;
      waiting++;
      opts.progress?.(++done, total);
      wake?.();
    };
    const isolation = () => {
      if (isolated || !opts.isolation) return;
      isolated = runner.isolation().then(opts.isolation, () => undefined);
    };
    // One attempt's result: final, or run again (at once, beside the rest of the run).
    const take = (k: number, r: Ran, retry: (k: number) => void) => {
      const s = jobs[k];
      const { program, family } = s.job;
      s.attempts++;
      const outcome = r.view ? check(program, r.view) : lost(program, r.lost);
      const view = r.view && (keepAll || outcome.status !== 'passed') ? r.view.copy() : undefined;
      if (outcome.status === 'failed' && s.attempts <= retries) {
        (s.earlier ??= []).push({ outcome, view });
        retry(k);
        return;
      }
      const base = { file: s.entry.file, program, family, outcome, attempts: s.attempts };
      const earlier = s.earlier ? { earlier: s.earlier } : {};
      const flaky = outcome.status === 'passed' && s.earlier ? { flaky: { attempts: s.attempts, first: s.earlier[0] } } : {};
      settle(k, { ...base, ...(view ? { view } : {}), ...flaky, ...earlier });
    };
    // Retries run beside the main stream, at once: a file waiting for one never waits for the
    // rest of the run. Only the main stream pauses when too many results wait for an earlier file.
    const queued: number[] = [];
    let streams = 0;
    let fed = false;
    const ended = () => {
      if (--streams === 0 && queued.length === 0) {
        fed = true;
        wake?.();
      }
    };
    const consume = async (ids: readonly number[], main: boolean): Promise<void> => {
      for await (const r of runner.run(ids.map((k) => jobs[k].job))) {
        isolation();
        take(ids[r.id], r, (k) => {
          queued.push(k);
          if (!retrying) void retry();
        });
        while (main && waiting > MAX_WAITING && !opts.signal?.aborted) await new Promise<void>((resolve) => (room = resolve));
        if (opts.signal?.aborted) return;
      }
    };
    let retrying = false;
    const retry = async (): Promise<void> => {
      retrying = true;
      streams++;
      try {
        while (queued.length > 0 && !opts.signal?.aborted) await consume(queued.splice(0), false);
      } catch (e) {
        fail(e);
      } finally {
        retrying = false;
        ended();
      }
    };
    if (jobs.length === 0) fed = true;
    else {
      streams++;
      consume(
        jobs.map((_, k) => k),
        true,
      ).then(ended, (e: unknown) => {
        fail(e);
        ended();
      });
    }
    const onAbort = () => {
      room?.();
      wake?.();
    };
    opts.signal?.addEventListener('abort', onAbort);
    try {
      for (const entry of files) {
        while (entry.pending > 0 && !fed && failure === undefined && !opts.signal?.aborted) await new Promise<void>((resolve) => (wake = resolve));
        if (failure !== undefined) throw failure;
        if (entry.pending > 0) return;
        const scenarios = jobs.slice(entry.first, entry.first + entry.programs.length * families.length - entry.skipped.length).map((s) => s.final!);
        waiting -= scenarios.length;
        room?.();
        yield {
          file: entry.file,
          ...(entry.source !== undefined ? { source: entry.source } : {}),
          ...(entry.error ? { error: entry.error } : {}),
          scenarios,
          skipped: entry.skipped,
        };
        // What was yielded is the consumer's now.
        for (let k = entry.first; k < entry.first + scenarios.length; k++) jobs[k].final = undefined;
      }
      await isolated;
    } finally {
      opts.signal?.removeEventListener('abort', onAbort);
    }
  } finally {
    await own?.close();
  }
}
