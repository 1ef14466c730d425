// The pool's worker module (piscina loads it on each worker thread). It loads the executor
// once, isolates the thread once (private fd table, own network namespace when allowed),
// then runs batches of Programs: one native call per Program, raw results back transferred.
import { isMainThread } from 'node:worker_threads';
import { release } from 'node:os';
import { dirname, join } from 'node:path';
import type { Family, ProgramCode, RunResult } from '@epl/program';
import { META_WORDS, TEST_CRASH_OPCODE } from './protocol';
import type { BatchReply, BatchTask, Isolation, Task } from './protocol';

if (isMainThread) {
  // isolate() unshares the calling thread's fd table: never do that to a main thread.
  throw new Error('@epl/runner/worker is a pool worker module; it must not be loaded on a main thread');
}

interface Executor {
  isolate(): { files: boolean; netns: boolean; reason?: string };
  runRaw(code: ProgramCode, options?: { family?: Family }): Uint8Array;
  runRawInto(code: ProgramCode, out: Uint8Array, options?: { family?: Family }): number | Uint8Array;
  decode(raw: Uint8Array): RunResult;
}

let executor: Executor | undefined;
let isolated: { files: boolean; netns: boolean; reason?: string } = { files: false, netns: false };
let loadError: string | undefined;
try {
  executor = require('@epl/executor') as Executor;
  isolated = executor.isolate();
} catch (e) {
  // Reported per Program (RunResult.error), never by crashing the worker: piscina would
  // respawn a worker that fails at start over and over.
  loadError = `the executor could not start on a worker: ${e instanceof Error ? e.message : String(e)}`;
}

const testHooks = process.env.EPL_RUNNER_TEST_HOOKS === '1';

// A result marked movable has its buffers transferred, not copied, to the caller (what
// Piscina.move does). The marker comes from the piscina module this thread already runs
// (dist/common.js beside its main): loading all of piscina again here would cost ~25 ms of
// every worker's start. Pinned to piscina 5.3.2 in package.json.
const { markMovable } = require(join(dirname(require.resolve('piscina')), 'common.js')) as { markMovable: (value: object) => void };
const kTransferable = Symbol.for('Piscina.transferable');
const kValue = Symbol.for('Piscina.valueOf');

function moved(reply: BatchReply): unknown {
  const list = [reply.raw.buffer, reply.offsets.buffer];
  if (reply.spent) list.push(reply.spent.code.buffer, reply.spent.strings.buffer, reply.spent.meta.buffer);
  const out = { [kTransferable]: list, [kValue]: reply };
  markMovable(out);
  return out;
}

/** Bytes per result in the last batch: sizes the next batch's reply buffer so it rarely grows. */
let bytesPerResult = 1024;

function runBatch(task: BatchTask): unknown {
  const n = task.meta.length / META_WORDS;
  const offsets = new Int32Array(n + 1);
  // The task's arrays go back with the reply: the caller packs later batches into them.
  const spent = { code: task.code, strings: task.strings, meta: task.meta };
  if (!executor) return moved({ raw: new Uint8Array(0), offsets, error: loadError, spent });
  const options = { family: task.family };
  // Each result is written straight into the reply buffer (no buffer per run, no copy), each
  // at a 4-byte aligned offset: decode and checkRaw read it through Int32Array views, in place.
  const want = Math.max(4096, (n * bytesPerResult * 1.25 + 3) & ~3);
  let raw = task.reply !== undefined && task.reply.byteLength >= want ? task.reply : new Uint8Array(want);
  let total = 0;
  for (let k = 0; k < n; k++) {
    const m = k * META_WORDS;
    const code = task.code.subarray(task.meta[m], task.meta[m] + task.meta[m + 1]);
    Atomics.store(task.progress, 0, k);
    if (testHooks && code[0] === TEST_CRASH_OPCODE) process.exit(70);
    const r = executor.runRawInto(
      { code, strings: task.strings.subarray(task.meta[m + 2], task.meta[m + 2] + task.meta[m + 3]), slotCount: task.meta[m + 4] },
      raw.subarray(total),
      options,
    );
    // The pool gave up on this batch (over budget): exit now that the addon has returned.
    if (Atomics.load(task.progress, 1) !== 0) process.exit(0);
    let size: number;
    if (typeof r === 'number') size = r;
    else {
      // It did not fit: grow (at least double) and append the copy the addon made.
      size = r.byteLength;
      const bigger = new Uint8Array(Math.max(raw.byteLength * 2, (total + size + (n - k) * bytesPerResult + 3) & ~3));
      bigger.set(raw.subarray(0, total));
      bigger.set(r, total);
      raw = bigger;
    }
    total += (size + 3) & ~3;
    offsets[k + 1] = total;
  }
  Atomics.store(task.progress, 0, -2);
  if (n > 0) bytesPerResult = Math.max(64, Math.ceil(total / n));
  // One buffer for the whole batch: one transfer, one message.
  return moved({ raw: raw.subarray(0, total), offsets, spent });
}

function probe(): Isolation {
  const kernel = release();
  if (!executor) return { files: false, netns: false, reason: loadError, wire: { captured: false, reason: loadError }, kernel };
  // An empty Program tells whether this worker's runs capture the wire.
  const r = executor.decode(executor.runRaw({ code: new Int32Array(0), strings: new Uint8Array(0), slotCount: 0 }, {}));
  return { ...isolated, wire: r.wire, kernel: r.kernel || kernel };
}

export default function handle(task: Task): unknown {
  return task.kind === 'probe' ? probe() : runBatch(task);
}
