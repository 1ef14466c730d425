// The lane: the pool's stand-in for small runs. Batches go to one native thread (the executor's
// openLane) that isolated itself as a pool worker does at start (private fd table, own network
// namespace where permitted) while the caller was still compiling. No Node worker thread
// starts: one costs 50-100 ms on a small machine, more than a small file's whole run, while a
// native thread and a namespace cost about a millisecond.
import { LIMITS } from '@epl/program';
import type { Family, ProgramCode } from '@epl/program';
import { decodeBatch, errorResult, pack } from './batch';
import type { PoolResult, RunOptions } from './pool';
import type { BatchReply, BatchTask } from './protocol';

interface LaneApi {
  openLane(): { run(batch: BatchTask, options?: { family?: Family }): Promise<BatchReply>; close(): void };
}

/** Added to a batch's time limit: scheduling, setup and teardown. */
const MARGIN_MS = 2000;

export class Lane {
  private readonly lane: ReturnType<LaneApi['openLane']> | undefined;
  private readonly openError: string | undefined;
  private closed = false;

  /** Opens the lane's thread at once: it isolates itself while the caller goes on (compiling). */
  constructor() {
    try {
      // Loaded here, not at the top: @epl/runner loads for check and record without the addon.
      this.lane = (require('@epl/executor') as LaneApi).openLane();
    } catch (e) {
      // Reported per Program when a batch comes, as a pool reports a worker that cannot start.
      this.openError = e instanceof Error ? e.message : String(e);
    }
  }

  /** Runs every Program; yields each result, with its index in `programs`, once its batch is done. */
  run(programs: readonly ProgramCode[], opts: RunOptions = {}): AsyncIterable<PoolResult> {
    if (this.closed) throw new Error('lane is closed');
    return this.stream(programs, opts.family ?? 'tcp');
  }

  /** Ends the lane's thread (after the batch it runs, if any). */
  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    this.lane?.close();
  }

  private async *stream(programs: readonly ProgramCode[], family: Family): AsyncGenerator<PoolResult> {
    if (programs.length === 0) return;
    const ids = programs.map((_, id) => id);
    for (const item of await this.batch(programs, ids, family)) yield item;
  }

  private async batch(programs: readonly ProgramCode[], ids: readonly number[], family: Family): Promise<PoolResult[]> {
    let timer: NodeJS.Timeout | undefined;
    try {
      if (!this.lane) throw new Error(this.openError);
      // Every Program's sleeps and waits are bounded by the executor (at most maxBudgetMs each)
      // and every descriptor is non-blocking: past this the thread is not coming back. Its
      // Programs are reported, not waited for forever.
      const limitMs = ids.length * LIMITS.maxBudgetMs + MARGIN_MS;
      const late = new Promise<never>((_, reject) => {
        timer = setTimeout(() => reject(new Error(`the lane's thread did not finish within ${limitMs} ms`)), limitMs);
      });
      const reply = await Promise.race([this.lane.run(pack(programs, ids, family), { family }), late]);
      return decodeBatch(reply, ids, family);
    } catch (e) {
      const why = e instanceof Error ? e.message : String(e);
      return ids.map((id) => ({ id, result: errorResult(family, `the lane could not run this scenario: ${why}`) }));
    } finally {
      clearTimeout(timer);
    }
  }
}
