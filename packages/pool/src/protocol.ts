// What the pool and its workers say to each other. Plain data, so the main thread can load it
// without loading the worker.
import type { PackedBatch } from '@epl/executor';
import type { WireStatus } from '@epl/program';

/**
 * A batch (three typed arrays, transferred) plus two cells in shared memory that the executor
 * keeps (see runBatch in @epl/executor): [0] the index of the Program running (-1 before, -2
 * after), so the caller can tell which Program was running when a worker died or overran its
 * budget; [1] set by the caller to stop the batch after the current Program.
 */
export interface BatchTask extends PackedBatch {
  readonly kind: 'batch';
  readonly progress: Int32Array;
  /** Memory to write the results into (transferred), when the caller has some to spare. */
  readonly reply?: Uint8Array;
}

/** The results of a batch, back to back (readBatch), and the task's arrays handed back for reuse. */
export interface BatchReply {
  readonly raw: Uint8Array;
  /** Set when the worker could not run anything (the executor failed to load). */
  readonly error?: string;
  readonly spent?: PackedBatch;
}

export interface ProbeTask {
  readonly kind: 'probe';
}

/** What a worker (or a lane's thread) obtained when it started. */
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
 * Test hook: when the worker's environment has EPL_POOL_TEST_HOOKS=1, a Program whose first
 * word is this opcode makes the worker exit while running it, as a crash would. Not an opcode
 * of the table: without the variable the executor refuses it as unknown.
 */
export const TEST_CRASH_OPCODE = 0x7e57dead | 0;
