// @epl/executor: runs batches of Programs natively, one call per batch, and reads the results.
// See README.md for the API, isolation, capture, the EBADF rule, limits and the buffer layout.
import type { Family, ProgramCode } from '@epl/program';
import { familyCode, packBatch, type PackedBatch } from './batch';
import { native, type LaneReply } from './native';
import { readBatch, type ResultView } from './view';

export { LAYOUT, ResultView, ResultsError, readBatch } from './view';
export { BATCH_META_WORDS, batchSize, familyCode, packBatch } from './batch';
export type { Allocate, BatchItem, PackedBatch } from './batch';
export { ADDON_PATH, loadAddon } from './native';
export type { LaneReply } from './native';

export interface RunOptions {
  /** The family `pair` takes (default `tcp`). */
  readonly family?: Family;
}

/** What isolate() obtained for the calling worker thread. */
export interface Isolation {
  /** A private descriptor table (unshare(CLONE_FILES)). */
  readonly files: boolean;
  /** A network namespace of its own with lo up (unshare(CLONE_NEWNET), needs CAP_SYS_ADMIN). */
  readonly netns: boolean;
  /** Why something was not obtained, in one sentence. */
  readonly reason?: string;
}

/** A run that keeps its descriptors: each run() continues from the state the last one left. */
export interface Session {
  run(code: ProgramCode): ResultView;
  /** Closes every descriptor the session holds. Further runs throw. */
  close(): void;
}

export interface NativeInfo {
  readonly ops: readonly { readonly code: number; readonly name: string; readonly operands: readonly string[] }[];
  readonly opWords: number;
  readonly limits: Readonly<Record<string, number>>;
  readonly layout: Readonly<Record<string, number>>;
  /** Frames in the capture ring (segments that fit between two drains). */
  readonly captureFrames: number;
  /** Words per Program in a batch's meta table (BATCH_META_WORDS must equal it). */
  readonly batchMetaWords: number;
}

export interface BatchOptions {
  /** Memory to write the results into; used when they fit (then a subarray of it comes back). */
  readonly out?: Uint8Array;
  /**
   * Two cells, in shared memory, for a watcher on another thread: [0] the index of the Program
   * running (-1 before, -2 after), [1] set to stop the batch after the current Program.
   */
  readonly progress?: Int32Array;
}

/**
 * Runs every Program of a batch on this thread, one native call, and returns their results
 * back to back (read them with readBatch). The only way Programs run: pool workers call it,
 * lanes run the same native loop on their own thread, run() is a batch of one.
 */
export function runBatch(batch: PackedBatch, opts: BatchOptions = {}): Uint8Array {
  const out = opts.out ?? null;
  const r = native().runBatch(batch.code, batch.strings, batch.meta, null, out, opts.progress ?? null);
  return typeof r === 'number' ? (out as Uint8Array).subarray(0, r) : r;
}

/** Runs one Program (fresh descriptors, all closed at the end) on this thread; the view owns its bytes. */
export function run(code: ProgramCode, options?: RunOptions): ResultView {
  return readBatch(runBatch(packBatch([{ program: code, family: options?.family ?? 'tcp' }])), 1)[0];
}

/**
 * Isolates the calling worker thread: a private fd table always, a network namespace where
 * permitted. Call it once, at the worker's start, before any run. Throws on the main thread.
 */
export function isolate(): Isolation {
  // Required here: loading worker_threads costs every `epl run` ~4 ms at start-up.
  if ((require('worker_threads') as typeof import('worker_threads')).isMainThread) {
    throw new Error('isolate() must be called on a worker thread: on the main thread it would cut Node off from its own descriptors');
  }
  return native().isolate();
}

/** What a lane did with a batch: the raw results (readBatch), and the isolation its thread obtained. */
export type IsolatedBatch = LaneReply;

/**
 * One native thread, made for running Programs: it isolates itself as soon as it starts, as a
 * pool worker does (private fd table, own network namespace where permitted, capture opened
 * there), then runs the batches it is given, in order. Any thread may open one, the main thread
 * included: the caller's descriptors and namespace are untouched and its event loop stays free
 * while a batch runs. It costs a thread and a namespace (about a millisecond), not a Node worker
 * (tens of ms): for small runs. An idle lane does not keep the process alive.
 */
export interface Lane {
  /**
   * Runs a batch after the ones before it. A meta table that points outside code or strings is a
   * TypeError; a malformed Program is its own results' error, as with run().
   */
  run(batch: PackedBatch): Promise<IsolatedBatch>;
  /** Lets a running batch finish (its sleeps and waits are bounded), refuses queued ones, ends the thread. */
  close(): void;
}

/** Opens a lane: its thread starts and isolates itself at once, before the first batch. */
export function openLane(): Lane {
  const handle = native().openLane();
  return {
    run(batch: PackedBatch): Promise<IsolatedBatch> {
      return native().laneRun(handle, batch.code, batch.strings, batch.meta);
    },
    close(): void {
      native().closeLane(handle);
    },
  };
}

/** Opens a session: runs that share one set of descriptors (and names) until close(). */
export function openSession(options?: RunOptions): Session {
  const family = options?.family ?? 'tcp';
  familyCode(family);
  const handle = native().openSession();
  let closed = false;
  return {
    run(code: ProgramCode): ResultView {
      if (closed) throw new Error('the session is closed');
      const b = packBatch([{ program: code, family }]);
      const r = native().runBatch(b.code, b.strings, b.meta, handle, null, null) as Uint8Array;
      return readBatch(r, 1)[0];
    },
    close(): void {
      if (closed) return;
      closed = true;
      native().closeSession(handle);
    },
  };
}

/** The addon's own opcode table, limits and results layout (tests compare them with @epl/program). */
export function nativeInfo(): NativeInfo {
  return native().info();
}
