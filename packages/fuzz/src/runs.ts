// What the fuzzer runs Programs on, and the two forms it reads results in: views (record,
// check, replays) and decoded RunResults (oracles, signatures, shrinking).
import { release } from 'node:os';
import type { ResultView } from '@epl/executor';
import type { Runner as PoolRunner } from '@epl/pool';
import type { Family, ProgramCode, RunResult } from '@epl/program';

/** One Program's run: its results (its own copy), or why it has none. */
export interface Run {
  readonly view?: ResultView;
  readonly lost?: string;
}

/** What runs Programs for the fuzzer; `onPool` makes one of a Pool or a Lane. */
export interface Runner {
  /** Every Program's run, in input order. `batchSize`: Programs per worker task, when the caller knows better. */
  runAll(programs: readonly ProgramCode[], opts: { family: Family; batchSize?: number }): Promise<Run[]>;
}

/** A Runner over a pool: every Program with one family, results copied out as they come. */
export function onPool(pool: PoolRunner): Runner {
  return {
    async runAll(programs, opts) {
      const out = new Array<Run>(programs.length);
      const jobs = programs.map((program) => ({ program, family: opts.family }));
      for await (const r of pool.run(jobs, opts.batchSize === undefined ? undefined : { batchSize: opts.batchSize }))
        out[r.id] = r.view ? { view: r.view.copy() } : { lost: r.lost };
      return out;
    },
  };
}

/** A run as objects, for the oracles: a lost run is one with no steps and its reason as the error. */
export function resultOf(run: Run, family: Family): RunResult {
  if (run.view) return run.view.toResult();
  return {
    steps: [],
    kernel: release(),
    family,
    netns: false,
    wire: { captured: false, reason: 'the scenario has no results' },
    error: run.lost ?? 'no result',
  };
}
