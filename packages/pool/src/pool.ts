// The pool: worker threads, each isolated (own fd table, own network namespace where allowed),
// running batches of Programs with one native call each. Results stream back in completion
// order; a worker that dies or overruns its time budget is replaced and its Program reported lost.
import { availableParallelism } from 'node:os';
import * as path from 'node:path';
import { LIMITS } from '@epl/program';
import type Piscina from 'piscina';
import { packBatch, readBatch } from '@epl/executor';
import type { Job, Ran, RunOptions, Runner } from './ran';
import type { BatchReply, Isolation } from './protocol';
import { Spares } from './spares';
import { ResultStream } from './stream';

export interface PoolOptions {
  /** Worker threads (default: one per core). */
  readonly workers?: number;
  /** Time one Program may take before its worker is stopped (default LIMITS.maxRunMs, the executor's own end of a run). */
  readonly budgetMs?: number;
  /** Added to the budget before acting: scheduling, setup and teardown (default 2000). */
  readonly marginMs?: number;
  /** Programs per batch (default: four batches per worker, 8 to 512 Programs each). */
  readonly batchSize?: number;
}

/**
 * Largest batch: piscina costs about 0.35 ms of CPU per task and a worker waits about a
 * millisecond between two of its tasks (measurements: README).
 */
const MAX_BATCH = 512;
/** A run of a few scenarios is one batch on one worker: a Program takes far less than a thread start. */
const MIN_BATCH = 8;
/** Largest reply a batch should make: past it, batches shrink (memory stays bounded when results are big). */
const MAX_REPLY_BYTES = 8 << 20;
/** Batches given to the pool at once per worker: two wait at each worker, one more is ready. */
const IN_FLIGHT_PER_WORKER = 3;
/** Times a batch that never started is sent again after its worker died. */
const MAX_ATTEMPTS = 3;

/**
 * Programs per batch for a run of `n` on `workers` threads: four batches per worker, 8 to 512
 * Programs each, fewer when results are big (`bytesPerResult`, 0 when not known yet).
 */
export function batchSize(n: number, workers: number, bytesPerResult: number): number {
  const even = Math.min(MAX_BATCH, Math.max(MIN_BATCH, Math.ceil(n / (workers * 4))));
  return Math.max(1, bytesPerResult > 0 ? Math.min(even, Math.floor(MAX_REPLY_BYTES / bytesPerResult)) : even);
}

/** The compiled worker module: beside this file in dist/, or in dist/ when running from src/ (tests). */
function workerFile(): string {
  return __filename.endsWith('.ts') ? path.join(__dirname, '..', 'dist', 'worker.js') : path.join(__dirname, 'worker.js');
}

interface InFlight {
  /** [index of the Program running (-1 before, -2 after), stop request]. */
  readonly progress: Int32Array;
  readonly abort: AbortController;
  seen: number;
  since: number;
  overrun: (at: number) => void;
  task?: Promise<BatchReply>;
}

export class Pool implements Runner {
  /** Number of worker threads. */
  readonly workers: number;
  readonly budgetMs: number;
  readonly marginMs: number;
  private readonly batchSize: number | undefined;
  private readonly piscina: Piscina;
  private readonly inFlight = new Set<InFlight>();
  private watchdog: NodeJS.Timeout | undefined;
  private probe: Promise<Isolation> | undefined;
  /** Workers given up on after an overrun, until they are gone. */
  private readonly abandoned = new Set<Promise<void>>();
  private closed = false;
  private readonly spares = new Spares();
  /** Bytes per result seen so far: bounds the size of later batches. */
  private bytesPerResult = 0;

  constructor(opts: PoolOptions = {}) {
    this.workers = Math.max(1, Math.floor(opts.workers ?? availableParallelism()));
    this.budgetMs = opts.budgetMs ?? LIMITS.maxRunMs;
    this.marginMs = opts.marginMs ?? 2000;
    this.batchSize = opts.batchSize;
    // Required here so that loading this package for its types does not load piscina.
    const P = require('piscina') as typeof Piscina;
    this.piscina = new P({
      filename: workerFile(),
      // One worker starts at once; the others when batches wait (at once for a big run), so
      // a small run pays for one thread start, not one per core.
      minThreads: 1,
      maxThreads: this.workers,
      // Workers live for one pool (one run): they hold copies of the fds open at unshare time.
      idleTimeout: Infinity,
      // A second batch waits at each worker, so it never idles while the caller checks.
      concurrentTasksPerWorker: 2,
      // The environment as this module sees it (under jest, the test's own process.env).
      env: { ...process.env },
      // No run/wait-time histograms: nothing reads them, and they cost at start and per task.
      recordTiming: false,
    });
    // Errors outside tasks (a worker that dies idle) must not crash the caller.
    this.piscina.on('error', () => undefined);
  }

  isolation(): Promise<Isolation> {
    this.probe ??= this.piscina.run({ kind: 'probe' }) as Promise<Isolation>;
    return this.probe;
  }

  run(jobs: readonly Job[], opts: RunOptions = {}): AsyncIterableIterator<Ran> {
    if (this.closed) throw new Error('pool is closed');
    const n = jobs.length;
    const ahead = this.workers * IN_FLIGHT_PER_WORKER;
    let next = 0;
    let running = 0;
    const size = () => opts.batchSize ?? this.batchSize ?? batchSize(n, this.workers, this.bytesPerResult);
    // Batches are packed as earlier ones complete and the consumer keeps up: a few per worker
    // ahead, never more results waiting than that (memory stays bounded by the window).
    const launch = () => {
      while (running < ahead && next < n && !this.closed && !stream.finished && stream.buffered < ahead * size()) {
        const ids: number[] = [];
        for (let id = next, end = Math.min(n, next + size()); id < end; id++) ids.push(id);
        next += ids.length;
        running++;
        this.batch(jobs, ids, stream).then(
          () => {
            running--;
            launch();
          },
          (e: unknown) => stream.fail(e),
        );
      }
    };
    const stream = new ResultStream(n, launch, launch);
    return stream;
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    if (this.watchdog) clearInterval(this.watchdog);
    // A worker still inside the addon after an overrun exits by itself once the call returns
    // (or is stopped by force): let it, rather than tear the thread down under the call.
    await Promise.all(this.abandoned);
    await this.piscina.destroy();
  }

  /** Runs one batch; on a crash or overrun, reports the culprit lost and runs the others again. */
  private batch(jobs: readonly Job[], ids: readonly number[], stream: ResultStream, attempt = 0): Promise<void> {
    const packed = packBatch(
      ids.map((id) => jobs[id]),
      this.spares.allocate,
    );
    const progress = new Int32Array(new SharedArrayBuffer(8));
    progress[0] = -1;
    const reply = this.spares.takeReply();
    const task = { kind: 'batch' as const, ...packed, progress, ...(reply ? { reply } : {}) };
    const flight: InFlight = { progress, abort: new AbortController(), seen: -1, since: 0, overrun: () => undefined };
    return new Promise<void>((resolve, reject) => {
      let settled = false;
      // The batch is decided once: by its reply, by its worker's death, or by an overrun.
      const settle = (then: () => Promise<void> | void) => {
        if (settled) return;
        settled = true;
        this.inFlight.delete(flight);
        Promise.resolve().then(then).then(resolve, reject);
      };
      const blame = (at: number, why: string) => {
        stream.push([{ id: ids[at], lost: why }]);
        const rest = ids.filter((_, k) => k !== at);
        return rest.length ? this.batch(jobs, rest, stream) : undefined;
      };
      flight.overrun = (at) =>
        settle(() => {
          // Ask the worker to exit as soon as the executor hands control back (it bounds its own
          // sleeps and waits); stop it by force only if it does not. Ending a thread while it is
          // inside the addon is the last resort, not the first.
          Atomics.store(progress, 1, 1);
          this.abandon(flight);
          return blame(at, `over its time budget (${this.budgetMs} ms + ${this.marginMs} ms margin): the worker was stopped and replaced`);
        });
      const transfer = [task.code.buffer, task.strings.buffer, task.meta.buffer] as ArrayBuffer[];
      if (reply) transfer.push(reply.buffer as ArrayBuffer);
      flight.task = this.piscina.run(task, { transferList: transfer, signal: flight.abort.signal }) as Promise<BatchReply>;
      flight.task.then(
        (r) => settle(() => this.deliver(r, ids, stream)),
        (e: unknown) =>
          settle(() => {
            if (this.closed) throw e;
            const why = e instanceof Error ? e.message : String(e);
            const at = Atomics.load(progress, 0);
            if (at >= 0 && at < ids.length) return blame(at, `the worker died while running this scenario (${why}); it was replaced`);
            // The batch was waiting behind another on a worker that died: run it again. A pool
            // that keeps failing before running anything reports the batch instead of looping.
            if (attempt < MAX_ATTEMPTS) return this.batch(jobs, ids, stream, attempt + 1);
            stream.push(ids.map((id) => ({ id, lost: `the pool could not run this scenario: ${why}` })));
          }),
      );
      this.watch(flight);
    });
  }

  /** Hands a reply's results to the stream; its memory comes back once the consumer is past them. */
  private deliver(reply: BatchReply, ids: readonly number[], stream: ResultStream): void {
    this.spares.keep(reply);
    if (reply.error !== undefined) {
      stream.push(ids.map((id) => ({ id, lost: reply.error as string })));
      return;
    }
    let views;
    try {
      views = readBatch(reply.raw, ids.length);
    } catch (e) {
      stream.push(ids.map((id) => ({ id, lost: `its results could not be read: ${e instanceof Error ? e.message : String(e)}` })));
      return;
    }
    if (ids.length > 0) this.bytesPerResult = Math.max(this.bytesPerResult, Math.ceil(reply.raw.byteLength / ids.length));
    stream.push(
      views.map((view, k) => ({ id: ids[k], view })),
      () => this.spares.keepReply(reply.raw.buffer as ArrayBuffer),
    );
  }

  /** Gives up on a batch's worker: arms the forced stop, and keeps close() waiting until it is gone. */
  private abandon(flight: InFlight): void {
    // The executor ends a Program by LIMITS.maxRunMs: past that (and the margin) the call is
    // not coming back, and only terminating is left.
    const force = setTimeout(() => flight.abort.abort(new Error('over budget')), LIMITS.maxRunMs + this.marginMs);
    const gone: Promise<void> = (flight.task ?? Promise.resolve()).then(
      () => undefined,
      () => undefined,
    );
    this.abandoned.add(gone);
    void gone.then(() => {
      clearTimeout(force);
      this.abandoned.delete(gone);
    });
  }

  private watch(flight: InFlight): void {
    this.inFlight.add(flight);
    if (this.watchdog) return;
    const limit = this.budgetMs + this.marginMs;
    this.watchdog = setInterval(
      () => {
        const now = Date.now();
        for (const f of this.inFlight) {
          const at = Atomics.load(f.progress, 0);
          if (at !== f.seen) {
            f.seen = at;
            f.since = now;
          } else if (at >= 0 && now - f.since > limit) f.overrun(at);
        }
        if (this.inFlight.size === 0 && this.watchdog) {
          clearInterval(this.watchdog);
          this.watchdog = undefined;
        }
      },
      Math.max(20, Math.min(250, limit / 8)),
    );
    this.watchdog.unref();
  }
}
