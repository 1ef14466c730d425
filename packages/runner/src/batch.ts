// A batch: Programs packed into three transferable typed arrays, and the raw results that come
// back for them. Shared by the pool (worker threads) and the lane (one native thread).
import { release } from 'node:os';
import type { Family, ProgramCode, RunResult } from '@epl/program';
import { META_WORDS } from './protocol';
import type { BatchReply, BatchTask } from './protocol';
import type { PoolResult } from './pool';

interface Decoder {
  decode(raw: Uint8Array): RunResult;
}
let decoder: Decoder | undefined;
function decode(raw: Uint8Array): RunResult {
  // Loaded on first use: only the decoder runs on this thread, never isolate().
  decoder ??= require('@epl/executor') as Decoder;
  return decoder.decode(raw);
}

/** Decodes every result of a batch reply (a result that cannot be decoded is that Program's error). */
export function decodeBatch(reply: BatchReply, ids: readonly number[], family: Family): PoolResult[] {
  const out: PoolResult[] = [];
  for (let k = 0; k < ids.length; k++) {
    let result: RunResult;
    try {
      result = reply.error !== undefined ? errorResult(family, reply.error) : decode(reply.raw.subarray(reply.offsets[k], reply.offsets[k + 1]));
    } catch (e) {
      result = errorResult(family, `the results could not be decoded: ${e instanceof Error ? e.message : String(e)}`);
    }
    out.push({ id: ids[k], result });
  }
  return out;
}

/** Copies the executor's part of some Programs into one transferable batch. */
export function pack(programs: readonly ProgramCode[], ids: readonly number[], family: Family): BatchTask {
  let words = 0;
  let bytes = 0;
  for (const id of ids) {
    words += programs[id].code.length;
    bytes += programs[id].strings.length;
  }
  const code = new Int32Array(words);
  const strings = new Uint8Array(bytes);
  const meta = new Int32Array(ids.length * META_WORDS);
  let w = 0;
  let b = 0;
  ids.forEach((id, k) => {
    const p = programs[id];
    code.set(p.code, w);
    strings.set(p.strings, b);
    const m = k * META_WORDS;
    meta[m] = w;
    meta[m + 1] = p.code.length;
    meta[m + 2] = b;
    meta[m + 3] = p.strings.length;
    meta[m + 4] = p.slotCount;
    w += p.code.length;
    b += p.strings.length;
  });
  const progress = new Int32Array(new SharedArrayBuffer(8));
  progress[0] = -1;
  return { kind: 'batch', code, strings, meta, family, progress };
}

/** The result reported for a Program the pool could not run to its end. */
export function errorResult(family: Family, error: string): RunResult {
  return { steps: [], kernel: release(), family, netns: false, wire: { captured: false, reason: 'the scenario did not run to its end' }, error };
}
