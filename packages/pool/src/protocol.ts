// What the pool and its workers say to each other. Plain data, so the main thread can load it
// without loading the worker.
import { BATCH_META_WORDS } from '@epl/executor';
import type { Family, WireStatus } from '@epl/program';

/**
 * Words per Program in a batch's `meta`: code offset, code length (words), string offset, string
 * length, slot count. The executor's own (a lane reads the same table natively).
 */
export const META_WORDS = BATCH_META_WORDS;

/**
 * A batch of Programs packed into three typed arrays (transferred, not copied), plus two
 * shared cells: [0] the worker writes the index of the Program it is running (-1 before,
 * -2 after), so the caller can tell which Program was running when a worker died or
 * overran its budget; [1] the caller sets to ask the worker to exit after the current call.
 */
export interface BatchTask {
  readonly kind: 'batch';
  readonly code: Int32Array;
  readonly strings: Uint8Array;
  readonly meta: Int32Array;
  readonly family: Family;
  readonly progress: Int32Array;
  /** A buffer to write the results into (transferred), when the caller has one to spare: a worker's fresh memory costs page faults. */
  readonly reply?: Uint8Array;
}

/** Every raw results buffer of a batch back to back: Program k is `raw[offsets[k]..offsets[k+1])`. */
export interface BatchReply {
  readonly raw: Uint8Array;
  readonly offsets: Int32Array;
  /** Set when the worker could not run anything (the executor failed to load). */
  readonly error?: string;
  /** The task's own arrays, handed back (transferred) for the caller to pack later batches into. */
  readonly spent?: { readonly code: Int32Array; readonly strings: Uint8Array; readonly meta: Int32Array };
}

export interface ProbeTask {
  readonly kind: 'probe';
}

/** What a worker obtained when it started. */
export interface Isolation {
  /** A private descriptor table (unshare CLONE_FILES). */
  readonly files: boolean;
  /** A network namespace of its own. */
  readonly netns: boolean;
  /** Why something is missing, when it is. */
  readonly reason?: string;
  /** Whether a run captures the wire, and why not. */
  readonly wire: WireStatus;
  /** The kernel release. */
  readonly kernel: string;
}

export type Task = BatchTask | ProbeTask;

/**
 * Test hook: when the worker's environment has EPL_RUNNER_TEST_HOOKS=1, a Program whose first
 * word is this opcode makes the worker exit, as a crash would. Not an opcode of the table.
 */
export const TEST_CRASH_OPCODE = 0x7e57dead | 0;
