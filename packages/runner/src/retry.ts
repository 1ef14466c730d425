// Runs Programs on a pool and re-runs, up to `retries` more times, those whose expectations
// failed: some kernel answers depend on timing (a pure ACK leaves at once or on the delayed-ACK
// timer, depending on whether the receiver is in pingpong mode, which a loaded machine can
// miss). A run that errored (malformed, crashed, over budget) is never re-run: that is not a
// kernel answer. Every attempt before the last is kept, so a pass after a failure is reported
// as such (runFiles' `flaky`, the jest runner's note), never silently.
import type { Family, Program, RunResult } from '@epl/program';
import { checkOutcome } from './check';
import type { CheckResult } from './check';
import type { PoolResult } from './pool';

/** What the retry loop needs of a pool; `Pool` is one. */
export interface ProgramPool {
  /** Yields each Program's result once, as it completes; `id` is its index in `programs`. */
  run(programs: readonly Program[], opts?: { family?: Family }): AsyncIterable<PoolResult>;
}

/** Retries allowed per scenario, at most. */
export const MAX_RETRIES = 100;

export interface RetryOptions {
  /** The family `pair` takes; every attempt of a Program runs with it (default: the pool's). */
  readonly family?: Family;
  /** Further attempts for a Program whose expectations failed (default 0: one attempt). */
  readonly retries?: number;
}

/** One run of a Program and its check. */
export interface Attempt {
  readonly result: RunResult;
  readonly check: CheckResult;
}

/** A Program's last attempt, and the failed attempts before it. `result` is decoded on first read. */
export interface Retried extends Attempt {
  /** Index of the Program in the array given to `runRetrying`. */
  readonly id: number;
  /** Attempts made (1 + retries used). */
  readonly attempts: number;
  /** The attempts before the last one, in order; each failed an expectation. */
  readonly failed: readonly Attempt[];
}

/** Whether an attempt may be made again: an expectation failed and the run itself had no error. */
export function retryable(c: CheckResult): boolean {
  return !c.pass && c.error === undefined && c.failures.length > 0;
}

/** Throws on a retry count that is not a whole number from 0 to MAX_RETRIES. */
export function checkRetries(retries: number): number {
  if (!Number.isInteger(retries) || retries < 0 || retries > MAX_RETRIES) {
    throw new RangeError(`retries must be a whole number from 0 to ${MAX_RETRIES} (got ${String(retries)})`);
  }
  return retries;
}

/**
 * Runs every Program on `pool` and yields each one once, when it is final: it passed, it
 * errored, or it failed its last allowed attempt. Failures are re-run in rounds, each round one
 * `pool.run` of the Programs still failing, with the same family.
 */
export async function* runRetrying(pool: ProgramPool, programs: readonly Program[], opts: RetryOptions = {}): AsyncGenerator<Retried> {
  const retries = checkRetries(opts.retries ?? 0);
  const runOpts = opts.family === undefined ? undefined : { family: opts.family };
  const failed = new Map<number, Attempt[]>();
  let pending = programs.map((_, id) => id);
  for (let attempt = 1; pending.length > 0; attempt++) {
    const round = pending;
    pending = [];
    for await (const out of pool.run(
      round.map((k) => programs[k]),
      runOpts,
    )) {
      const k = round[out.id];
      const c = checkOutcome(programs[k], out);
      if (attempt <= retries && retryable(c)) {
        // A failed attempt is kept decoded: it is reported (flaky, first failure).
        const kept: Attempt = { result: out.result, check: c };
        const list = failed.get(k);
        if (list) list.push(kept);
        else failed.set(k, [kept]);
        pending.push(k);
        continue;
      }
      yield new Final(k, out, c, attempt, failed.get(k) ?? NO_ATTEMPTS);
    }
  }
}

const NO_ATTEMPTS: readonly Attempt[] = Object.freeze([]);

/** A Retried whose result stays undecoded until read (most are passes nobody looks into). */
class Final implements Retried {
  constructor(
    readonly id: number,
    private readonly outcome: PoolResult,
    readonly check: CheckResult,
    readonly attempts: number,
    readonly failed: readonly Attempt[],
  ) {}

  get result(): RunResult {
    return this.outcome.result;
  }
}
