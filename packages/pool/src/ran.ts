// What a pool or a lane yields for each job, and the interface both offer.
import type { ResultView } from '@epl/executor';
import type { Family, ProgramCode } from '@epl/program';
import type { Isolation } from './protocol';

/** One Program to run, and the family its `pair` takes. */
export interface Job {
  readonly program: ProgramCode;
  readonly family: Family;
}

/**
 * One job's outcome: its results (`view`, valid until the iterator's next `next()`; `copy()`
 * it to keep it), or why it has none (`lost`: its worker died, it overran its time budget, the
 * executor could not start). `id` is the job's index in the array given to `run`.
 */
export type Ran =
  { readonly id: number; readonly view: ResultView; readonly lost?: undefined } | { readonly id: number; readonly view?: undefined; readonly lost: string };

export interface RunOptions {
  /** Programs per batch, when the caller knows better than the runner's default. */
  readonly batchSize?: number;
}

/** What runs jobs: a Pool (worker threads) or a Lane (one native thread). */
export interface Runner {
  /** Runs every job once; yields each outcome as its batch completes, in completion order. */
  run(jobs: readonly Job[], opts?: RunOptions): AsyncIterableIterator<Ran>;
  /** What the threads obtained: private fd table, network namespace, wire capture, kernel. */
  isolation(): Promise<Isolation>;
  close(): Promise<void>;
}
