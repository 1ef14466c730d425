// The lane: the pool's stand-in for small runs. Batches go to one native thread (the executor's
// openLane) that isolated itself as a pool worker does at start (private fd table, own network
// namespace where permitted) while the caller was still compiling. No Node worker thread
// starts: one costs 50-100 ms on a small machine, more than a small file's whole run.
import { LIMITS } from '@epl/program';
import type { Job, Ran, Runner } from './ran';
import type { Isolation } from './protocol';
import { ResultStream } from './stream';

type Executor = typeof import('@epl/executor');

/** Added to a batch's time limit: scheduling, setup and teardown. */
const MARGIN_MS = 2000;

export class Lane implements Runner {
  private readonly executor: Executor | undefined;
  private readonly lane: ReturnType<Executor['openLane']> | undefined;
  private readonly openError: string | undefined;
  private probe: Promise<Isolation> | undefined;
  private closed = false;

  /** Opens the lane's thread at once: it isolates itself while the caller goes on (compiling). */
  constructor() {
    try {
      // Loaded here, not at the top: this package loads for its types without the addon.
      this.executor = require('@epl/executor') as Executor;
      this.lane = this.executor.openLane();
    } catch (e) {
      // Reported for each job when a batch comes, as a pool reports a worker that cannot start.
      this.openError = e instanceof Error ? e.message : String(e);
    }
  }

  /** Runs every job in one batch on the lane's thread; yields each outcome once the batch is done. */
  run(jobs: readonly Job[]): AsyncIterableIterator<Ran> {
    if (this.closed) throw new Error('lane is closed');
    const stream: ResultStream = new ResultStream(jobs.length, () => {
      this.batch(jobs).then(
        ([items, release]) => stream.push(items, release),
        (e: unknown) => stream.fail(e),
      );
    });
    return stream;
  }

  isolation(): Promise<Isolation> {
    this.probe ??= this.isolate();
    return this.probe;
  }

  /** Ends the lane's thread (after the batch it runs, if any). */
  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    this.lane?.close();
  }

  private async isolate(): Promise<Isolation> {
    const empty = { program: { code: new Int32Array(0), strings: new Uint8Array(0), slotCount: 0 }, family: 'tcp' as const };
    if (!this.lane || !this.executor) throw new Error(this.openError);
    const reply = await this.lane.run(this.executor.packBatch([empty]));
    if (reply.error !== undefined) throw new Error(reply.error);
    const v = this.executor.readBatch(reply.raw, 1)[0];
    const reason = v.captureReason;
    return {
      files: reply.files,
      netns: reply.netns,
      ...(reply.reason !== undefined ? { reason: reply.reason } : {}),
      wire: reason === undefined ? { captured: true } : { captured: false, reason },
      kernel: v.kernel,
    };
  }

  private async batch(jobs: readonly Job[]): Promise<[Ran[], undefined]> {
    if (jobs.length === 0) return [[], undefined];
    let timer: NodeJS.Timeout | undefined;
    try {
      if (!this.lane || !this.executor) throw new Error(this.openError);
      // The executor ends every Program by LIMITS.maxRunMs (no step that could block past it
      // starts): past this the thread is not coming back. Its Programs are reported lost, not
      // waited for forever.
      const limitMs = jobs.length * LIMITS.maxRunMs + MARGIN_MS;
      const late = new Promise<never>((_, reject) => {
        timer = setTimeout(() => reject(new Error(`the lane's thread did not finish within ${limitMs} ms`)), limitMs);
      });
      const reply = await Promise.race([this.lane.run(this.executor.packBatch(jobs)), late]);
      if (reply.error !== undefined) throw new Error(reply.error);
      const views = this.executor.readBatch(reply.raw, jobs.length);
      return [views.map((view, id) => ({ id, view })), undefined];
    } catch (e) {
      const why = e instanceof Error ? e.message : String(e);
      return [jobs.map((_, id) => ({ id, lost: `the lane could not run this scenario: ${why}` })), undefined];
    } finally {
      clearTimeout(timer);
    }
  }
}
