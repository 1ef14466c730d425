// A pool of isolated worker threads (piscina) that run Programs in batches.
// Programs go out packed and transferred (./batch); raw results come back transferred and are
// decoded here, on the caller's side. A worker that dies or overruns the time budget is
// replaced, the Program it was running is reported as an error, the rest of its batch runs again.
import { availableParallelism } from 'node:os';
import * as path from 'node:path';
import { LIMITS } from '@epl/program';
import type { Family, ProgramCode, RunResult } from '@epl/program';
import type Piscina from 'piscina';
import { Spares, decodeBatch, errorResult, pack } from './batch';
import type { BatchReply, Isolation } from './protocol';

export type { Isolation } from './protocol';

export interface PoolOptions {
  /** Worker threads (default: one per core). */
  readonly workers?: number;
  /** Time one Program may take before its worker is stopped (default LIMITS.maxBudgetMs). */
  readonly budgetMs?: number;
  /** Added to the budget before acting: scheduling, setup and teardown (default 2000). */
  readonly marginMs?: number;
}

export interface RunOptions {
  /** The family `pair` takes (default tcp). */
  readonly family?: Family;
  /** Programs per task (default: four tasks per worker, at least 8 and at most 512 Programs each). */
  readonly batchSize?: number;
}

export interface PoolResult {
  /** Index of the Program in the array given to `run`. */
  readonly id: number;
  /** The decoded result. The pool decodes it on first read: a pass checked on `raw` never is. */
  readonly result: RunResult;
  /**
   * The executor's raw results buffer (layout: @epl/executor README), when the Program ran;
   * `checkOutcome` compares expectations against it without decoding.
   */
  readonly raw?: Uint8Array;
}

/**
 * Largest batch. piscina costs about 0.35 ms of CPU per task, and a worker waits about a
 * millisecond between two of its tasks. At 64 Programs a task the pool reached 0.58-0.62 of
 * the C loop per core, at 256 0.68-0.69; at 512, 2 workers ran 20,000 scenarios ~4% faster
 * than at 256 (three alternate pairs, after reply buffers were recycled), and beyond that it
 * gained nothing more.
 */
const MAX_BATCH = 512;
/** A run of a few scenarios is one batch on one worker: a Program takes far less than a thread start. */
const MIN_BATCH = 8;
/** Batches given to the pool at once per worker: two wait at each worker, one more is ready. */
const IN_FLIGHT_PER_WORKER = 3;
/** Times a batch that never started is sent again after its worker died. */
const MAX_ATTEMPTS = 3;

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

export class Pool {
  /** Number of worker threads. */
  readonly workers: number;
  readonly budgetMs: number;
  readonly marginMs: number;
  private readonly piscina: Piscina;
  private readonly inFlight = new Set<InFlight>();
  private watchdog: NodeJS.Timeout | undefined;
  private probe: Promise<Isolation> | undefined;
  /** Workers given up on after an overrun, until they are gone. */
  private readonly abandoned = new Set<Promise<void>>();
  private closed = false;
  /** Buffers of finished batches, packed into again. */
  private readonly spares = new Spares();

  constructor(opts: PoolOptions = {}) {
    this.workers = Math.max(1, Math.floor(opts.workers ?? availableParallelism()));
    this.budgetMs = opts.budgetMs ?? LIMITS.maxBudgetMs;
    this.marginMs = opts.marginMs ?? 2000;
    // Required here so that loading @epl/runner for check/record alone does not load piscina.
    const P = require('piscina') as typeof Piscina;
    this.piscina = new P({
      filename: workerFile(),
      // One worker starts at once; the others when batches wait (at once for a big run), so
      // a small run pays for one thread start, not one per core.
      minThreads: 1,
      maxThreads: this.workers,
      // Workers live for one pool (one run): they hold copies of the fds open at unshare time.
      idleTimeout: Infinity,
      // A second batch waits at each worker, so it never idles while the caller decodes.
      concurrentTasksPerWorker: 2,
      // The environment as this module sees it (under jest, the test's own process.env).
      env: { ...process.env },
      // No run/wait-time histograms: nothing reads them, and they cost at start and per task.
      recordTiming: false,
    });
    // Errors outside tasks (a worker that dies idle) must not crash the caller.
    this.piscina.on('error', () => undefined);
  }

  /** What the workers obtained: private fd table, network namespace, wire capture, kernel. */
  isolation(): Promise<Isolation> {
    this.probe ??= this.piscina.run({ kind: 'probe' }) as Promise<Isolation>;
    return this.probe;
  }

  /** Runs every Program; yields each result as its batch completes, with the Program's index. */
  run(programs: readonly ProgramCode[], opts: RunOptions = {}): AsyncIterableIterator<PoolResult> {
    if (this.closed) throw new Error('pool is closed');
    return this.stream(programs, opts, true);
  }

  /** Runs every Program; the results in input order. */
  async runAll(programs: readonly ProgramCode[], opts: RunOptions = {}): Promise<RunResult[]> {
    const out = new Array<RunResult>(programs.length);
    if (this.closed) throw new Error('pool is closed');
    // Every result is decoded here at once: views into the replies, no copies to recycle them.
    for await (const { id, result } of this.stream(programs, opts, false)) out[id] = result;
    return out;
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

  /** `recycle`: copy each result out of its reply and hand the reply back to a worker (decodeBatch). */
  private stream(programs: readonly ProgramCode[], opts: RunOptions, recycle: boolean): AsyncIterableIterator<PoolResult> {
    const family: Family = opts.family ?? 'tcp';
    const n = programs.length;
    const size = Math.max(1, Math.floor(opts.batchSize ?? Math.min(MAX_BATCH, Math.max(MIN_BATCH, Math.ceil(n / (this.workers * 4))))));
    return new ResultStream(n, (push, fail, stopped) => {
      // Batches are packed as earlier ones complete, a few per worker ahead (each worker holds
      // two): packing all of a big run up front would touch fresh memory for every batch, where
      // this way later batches reuse the buffers of finished ones (Spares).
      const ahead = this.workers * IN_FLIGHT_PER_WORKER;
      let next = 0;
      let running = 0;
      const launch = () => {
        // A consumer that stopped iterating starts no more batches (those running complete unseen).
        while (running < ahead && next < n && !this.closed && !stopped()) {
          const ids: number[] = [];
          for (let id = next; id < Math.min(n, next + size); id++) ids.push(id);
          next += ids.length;
          running++;
          this.batch(programs, ids, family, push, recycle).then(() => {
            running--;
            launch();
          }, fail);
        }
      };
      launch();
    });
  }

  /** Runs one batch; on a crash or overrun, reports the culprit and runs the others again. */
  private batch(
    programs: readonly ProgramCode[],
    ids: readonly number[],
    family: Family,
    push: (items: PoolResult[]) => void,
    recycle: boolean,
    attempt = 0,
  ): Promise<void> {
    const task = pack(programs, ids, family, this.spares);
    const flight: InFlight = { progress: task.progress, abort: new AbortController(), seen: -1, since: 0, overrun: () => undefined };
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
        push([{ id: ids[at], result: errorResult(family, why) }]);
        const rest = ids.filter((_, k) => k !== at);
        return rest.length ? this.batch(programs, rest, family, push, recycle) : undefined;
      };
      flight.overrun = (at) =>
        settle(() => {
          // Ask the worker to exit as soon as the executor hands control back (it bounds its own
          // sleeps and waits); stop it by force only if it does not. Ending a thread while it is
          // inside the addon is the last resort, not the first.
          Atomics.store(task.progress, 1, 1);
          this.abandon(flight);
          return blame(at, `over its time budget (${this.budgetMs} ms + ${this.marginMs} ms margin): the worker was stopped and replaced`);
        });
      flight.task = this.piscina.run(task, {
        transferList: (task.reply
          ? [task.code.buffer, task.strings.buffer, task.meta.buffer, task.reply.buffer]
          : [task.code.buffer, task.strings.buffer, task.meta.buffer]) as ArrayBuffer[],
        signal: flight.abort.signal,
      }) as Promise<BatchReply>;
      flight.task.then(
        (reply) =>
          settle(() => {
            this.spares.keep(reply);
            push(decodeBatch(reply, ids, family, recycle ? this.spares : undefined));
          }),
        (e: unknown) =>
          settle(() => {
            if (this.closed) throw e;
            const why = e instanceof Error ? e.message : String(e);
            const at = Atomics.load(task.progress, 0);
            if (at >= 0 && at < ids.length) return blame(at, `the worker died while running this scenario (${why}); it was replaced`);
            // The batch was waiting behind another on a worker that died: run it again. A pool
            // that keeps failing before running anything reports the batch instead of looping.
            if (attempt < MAX_ATTEMPTS) return this.batch(programs, ids, family, push, recycle, attempt + 1);
            push(ids.map((id) => ({ id, result: errorResult(family, `the pool could not run this scenario: ${why}`) })));
          }),
      );
      this.watch(flight);
    });
  }

  /** Gives up on a batch's worker: arms the forced stop, and keeps close() waiting until it is gone. */
  private abandon(flight: InFlight): void {
    // The executor bounds a Program's sleeps, waits and lingers by LIMITS.maxBudgetMs: past
    // that (and the margin) the call is not coming back, and only terminating is left.
    const force = setTimeout(() => flight.abort.abort(new Error('over budget')), LIMITS.maxBudgetMs + this.marginMs);
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

/**
 * The results of one `run`, as an async iterator written by hand: a result already there is
 * handed out as a resolved promise, without an async generator's extra await per item (about
 * half a microsecond of the caller's thread per scenario). Batches start on the first `next()`.
 */
class ResultStream implements AsyncIterableIterator<PoolResult> {
  private items: PoolResult[] = [];
  private head = 0;
  private delivered = 0;
  private failed = false;
  private failure: unknown;
  private started = false;
  private readonly waiting: { resolve(r: IteratorResult<PoolResult>): void; reject(e: unknown): void }[] = [];

  constructor(
    private readonly total: number,
    private readonly start: (push: (items: PoolResult[]) => void, fail: (e: unknown) => void, stopped: () => boolean) => void,
  ) {}

  [Symbol.asyncIterator](): this {
    return this;
  }

  next(): Promise<IteratorResult<PoolResult>> {
    if (!this.started) {
      this.started = true;
      this.start(
        (items) => this.push(items),
        (e) => this.fail(e),
        () => this.delivered >= this.total,
      );
    }
    if (this.delivered >= this.total) return Promise.resolve({ value: undefined, done: true });
    if (this.head < this.items.length) return Promise.resolve({ value: this.take(), done: false });
    // eslint-disable-next-line @typescript-eslint/prefer-promise-reject-errors -- passes on the pool's failure unchanged
    if (this.failed) return Promise.reject(this.failure);
    return new Promise((resolve, reject) => this.waiting.push({ resolve, reject }));
  }

  return(): Promise<IteratorResult<PoolResult>> {
    // The consumer stopped: what is still running completes unseen, nothing more starts.
    this.delivered = this.total;
    this.items = [];
    this.head = 0;
    return Promise.resolve({ value: undefined, done: true });
  }

  private take(): PoolResult {
    const item = this.items[this.head++];
    this.delivered++;
    // Drop delivered results from the queue, so the queue never keeps a run's results alive.
    if (this.head === this.items.length) {
      this.items.length = 0;
      this.head = 0;
    } else if (this.head >= 1024) {
      this.items = this.items.slice(this.head);
      this.head = 0;
    }
    return item;
  }

  private push(items: readonly PoolResult[]): void {
    if (this.delivered >= this.total) return;
    for (const it of items) this.items.push(it);
    while (this.waiting.length > 0 && this.head < this.items.length)
      (this.waiting.shift() as (typeof this.waiting)[number]).resolve({ value: this.take(), done: false });
    while (this.waiting.length > 0 && this.delivered >= this.total)
      (this.waiting.shift() as (typeof this.waiting)[number]).resolve({ value: undefined, done: true });
  }

  private fail(e: unknown): void {
    this.failed = true;
    this.failure = e;
    // Results already there go first; a consumer waiting for more learns of the failure now.
    while (this.waiting.length > 0) (this.waiting.shift() as (typeof this.waiting)[number]).reject(e);
  }
}
