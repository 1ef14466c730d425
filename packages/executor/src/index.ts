// @epl/executor: runs a Program natively in one call and decodes the results.
// See README.md for the API, isolation, capture, the EBADF rule, limits and the buffer layout.
import { FAMILIES, FAMILY_CODE, type Family, type ProgramCode, type RunResult } from '@epl/program';
import { decode } from './decode';
import { native } from './native';

export { decode, LAYOUT } from './decode';
export { ADDON_PATH, loadAddon } from './native';

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
  readonly family: Family;
  run(code: ProgramCode): RunResult;
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
  /** Words per Program in a lane batch's meta table (BATCH_META_WORDS must equal it). */
  readonly batchMetaWords: number;
}

function familyCode(options: RunOptions | undefined): number {
  const family = options?.family ?? 'tcp';
  // eslint-disable-next-line @typescript-eslint/no-unnecessary-type-conversion -- JavaScript callers can pass a non-string
  if (!FAMILIES.includes(family)) throw new TypeError(`unknown family '${String(family)}' (known: ${FAMILIES.join(', ')})`);
  return FAMILY_CODE[family];
}

// Results land here when they fit, so a run allocates no ArrayBuffer; decode copies bytes out.
const SCRATCH_MAX = 1 << 20;
let scratch = new Uint8Array(16 << 10);

function runInto(code: ProgramCode, family: number, session: unknown): RunResult {
  const r = native().run(code.code, code.strings, code.slotCount, family, session, scratch);
  if (typeof r === 'number') return decode(scratch.subarray(0, r), true);
  if (r.byteLength > scratch.byteLength && r.byteLength <= SCRATCH_MAX) scratch = new Uint8Array(Math.min(SCRATCH_MAX, r.byteLength * 2));
  return decode(r);
}

/** Runs every op of a Program (fresh descriptors, all closed at the end) and decodes the results. */
export function run(code: ProgramCode, options?: RunOptions): RunResult {
  return runInto(code, familyCode(options), null);
}

/**
 * Runs a Program and returns the raw results buffer: a fresh Uint8Array whose buffer can be
 * transferred to another thread and given to decode() there.
 */
export function runRaw(code: ProgramCode, options?: RunOptions): Uint8Array {
  return native().run(code.code, code.strings, code.slotCount, familyCode(options), null) as Uint8Array;
}

/**
 * Runs a Program and writes the raw results buffer into `out` when it fits: returns its length
 * in bytes then. When it does not fit, `out` is left untouched and the results come back in a
 * fresh Uint8Array instead. Lets a caller lay many runs out in one buffer without a copy each.
 */
export function runRawInto(code: ProgramCode, out: Uint8Array, options?: RunOptions): number | Uint8Array {
  return native().run(code.code, code.strings, code.slotCount, familyCode(options), null, out);
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

/** A batch of Programs packed back to back, as a lane takes it. */
export interface PackedBatch {
  readonly code: Int32Array;
  readonly strings: Uint8Array;
  /**
   * BATCH_META_WORDS per Program: code offset and length (words), string offset and length
   * (bytes), slot count.
   */
  readonly meta: Int32Array;
}

/** Words per Program in PackedBatch.meta. */
export const BATCH_META_WORDS = 5;

/** What a lane did with a batch: the raw results, and the isolation its thread obtained. */
export interface IsolatedBatch extends Isolation {
  /** Every Program's results buffer back to back: Program k's is `raw[offsets[k], offsets[k + 1])`. */
  readonly raw: Uint8Array;
  readonly offsets: Int32Array;
  /** Set when the lane could not run the batch at all (then `raw` is empty). */
  readonly error?: string;
}

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
  run(batch: PackedBatch, options?: RunOptions): Promise<IsolatedBatch>;
  /** Lets a running batch finish (its sleeps and waits are bounded), refuses queued ones, ends the thread. */
  close(): void;
}

/** Opens a lane: its thread starts and isolates itself at once, before the first batch. */
export function openLane(): Lane {
  const handle = native().openLane();
  return {
    run(batch: PackedBatch, options?: RunOptions): Promise<IsolatedBatch> {
      return native().laneRun(handle, batch.code, batch.strings, batch.meta, familyCode(options));
    },
    close(): void {
      native().closeLane(handle);
    },
  };
}

/** Opens a session: runs that share one set of descriptors (and names) until close(). */
export function openSession(options?: RunOptions): Session {
  const family = options?.family ?? 'tcp';
  const handle = native().openSession(familyCode(options));
  let closed = false;
  return {
    family,
    run(code: ProgramCode): RunResult {
      if (closed) throw new Error('the session is closed');
      return runInto(code, FAMILY_CODE[family], handle);
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
