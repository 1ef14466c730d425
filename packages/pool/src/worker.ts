// The pool's worker module (piscina loads it on each worker thread). It loads the executor
// once, isolates the thread once (private fd table, own network namespace when allowed), then
// runs batches: one native call per batch, the results transferred back in one buffer.
import { isMainThread } from 'node:worker_threads';
import { release } from 'node:os';
import { move, transferableSymbol, valueSymbol } from 'piscina';
import { TEST_CRASH_OPCODE } from './protocol';
import type { BatchReply, BatchTask, Isolation, Task } from './protocol';

if (isMainThread) {
  // isolate() unshares the calling thread's fd table: never do that to a main thread.
  throw new Error('@epl/pool/worker is a pool worker module; it must not be loaded on a main thread');
}

type Executor = typeof import('@epl/executor');

let executor: Executor | undefined;
let isolated: { files: boolean; netns: boolean; reason?: string } = { files: false, netns: false };
let loadError: string | undefined;
try {
  executor = require('@epl/executor') as Executor;
  isolated = executor.isolate();
} catch (e) {
  // Reported for each job, never by crashing the worker: piscina would respawn a worker that
  // fails at start over and over.
  loadError = `the executor could not start on a worker: ${e instanceof Error ? e.message : String(e)}`;
}

const testHooks = process.env.EPL_POOL_TEST_HOOKS === '1';

/** The reply, its buffers transferred rather than copied. */
function moved(reply: BatchReply): unknown {
  const list: ArrayBuffer[] = [reply.raw.buffer as ArrayBuffer];
  if (reply.spent) list.push(reply.spent.code.buffer as ArrayBuffer, reply.spent.strings.buffer as ArrayBuffer, reply.spent.meta.buffer as ArrayBuffer);
  return move({ [transferableSymbol]: list, [valueSymbol]: reply });
}

/** Bytes per result in the last batch: sizes the next batch's reply so it rarely grows. */
let bytesPerResult = 1024;

/** Test hook: exits as a crash would, while the batch's first crash Program "runs". */
function crashIfAsked(task: BatchTask, n: number): void {
  for (let k = 0; k < n; k++) {
    if (task.code[task.meta[k * 6]] === TEST_CRASH_OPCODE) {
      Atomics.store(task.progress, 0, k);
      process.exit(70);
    }
  }
}

function runBatch(task: BatchTask): unknown {
  const spent = { code: task.code, strings: task.strings, meta: task.meta };
  if (!executor) return moved({ raw: new Uint8Array(0), error: loadError, spent });
  const n = task.meta.length / executor.BATCH_META_WORDS;
  if (testHooks) crashIfAsked(task, n);
  const want = Math.max(4096, (n * bytesPerResult * 1.25 + 3) & ~3);
  const out = task.reply !== undefined && task.reply.byteLength >= want ? task.reply : new Uint8Array(want);
  const raw = executor.runBatch(task, { out, progress: task.progress });
  // The pool gave up on this batch (over budget): exit now that the addon has returned.
  if (Atomics.load(task.progress, 1) !== 0) process.exit(0);
  if (n > 0) bytesPerResult = Math.max(64, Math.ceil(raw.byteLength / n));
  return moved({ raw, spent });
}

function probe(): Isolation {
  const kernel = release();
  if (!executor) return { files: false, netns: false, reason: loadError, wire: { captured: false, reason: loadError }, kernel };
  // An empty Program tells whether this worker's runs capture the wire.
  const v = executor.run({ code: new Int32Array(0), strings: new Uint8Array(0), slotCount: 0 });
  const reason = v.captureReason;
  return { ...isolated, wire: reason === undefined ? { captured: true } : { captured: false, reason }, kernel: v.kernel || kernel };
}

export default function handle(task: Task): unknown {
  return task.kind === 'probe' ? probe() : runBatch(task);
}
