// A batch: Programs packed into three transferable typed arrays, and the raw results that come
// back for them. Shared by the pool (worker threads) and the lane (one native thread).
import { release } from 'node:os';
import type { Family, Program, ProgramCode, RunResult } from '@epl/program';
import type { CheckResult } from './check';
import { checkRaw } from './check-raw';
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

/**
 * One Program's outcome from a batch: its raw results (its own copy, or a view into the reply:
 * see decodeBatch), decoded on the first read of `result` only. A passing run is checked on the
 * raw bytes (`check`, no decoding); a failure, a transcript or a JSON record decodes it.
 */
export class BatchResult implements PoolResult {
  #decoded: RunResult | undefined;

  constructor(
    readonly id: number,
    /** This Program's raw results buffer (4-byte aligned); undefined when the batch did not run. */
    readonly raw: Uint8Array | undefined,
    private readonly family: Family,
    error?: string,
  ) {
    if (error !== undefined) this.#decoded = errorResult(family, error);
  }

  get result(): RunResult {
    if (this.#decoded === undefined) {
      try {
        this.#decoded = decode(this.raw as Uint8Array);
      } catch (e) {
        this.#decoded = errorResult(this.family, `the results could not be decoded: ${e instanceof Error ? e.message : String(e)}`);
      }
    }
    return this.#decoded;
  }

  /** checkRaw of this result. */
  checkRaw(program: Program): CheckResult | undefined {
    return this.raw === undefined ? undefined : checkRaw(program, this.raw);
  }
}

/**
 * The results of a batch reply, one per id, in order. Each decodes lazily (a result that
 * cannot be decoded is that Program's error); `raw` is absent when the batch did not run.
 *
 * Without `spares`, each `raw` is a view into the reply. With them, each result gets its own
 * copy of its bytes (~1.5 KiB) and `spares` keeps the reply, for the pool to hand back to a
 * worker to write a later batch's results into. Written afresh, a reply costs the worker a page
 * fault per 4 KiB (~5% of a worker's scenarios per second on the 2-core VM); the copies cost
 * this thread under a microsecond each, which pays where this thread only checks (epl run),
 * not where it decodes every result anyway (runAll, the fuzzer).
 */
export function decodeBatch(reply: BatchReply, ids: readonly number[], family: Family, spares?: Spares): PoolResult[] {
  const out = new Array<PoolResult>(ids.length);
  const { raw, offsets, error } = reply;
  if (error !== undefined) {
    for (let k = 0; k < ids.length; k++) out[k] = new BatchResult(ids[k], undefined, family, error);
    return out;
  }
  if (spares === undefined) {
    for (let k = 0; k < ids.length; k++) out[k] = new BatchResult(ids[k], raw.subarray(offsets[k], offsets[k + 1]), family);
    return out;
  }
  for (let k = 0; k < ids.length; k++) out[k] = new BatchResult(ids[k], raw.slice(offsets[k], offsets[k + 1]), family);
  spares.keepReply(raw.buffer as ArrayBuffer);
  return out;
}

/** Spare buffers kept per kind: about the batches in flight. */
const MAX_SPARES = 8;

/**
 * Buffers of finished batches (BatchReply.spent), to pack later batches into. Fresh memory
 * costs a page fault per 4 KiB touched and external-memory GC pressure; a run reuses a few
 * buffers instead of allocating ~100 KiB per batch.
 */
export class Spares {
  private readonly code: ArrayBuffer[] = [];
  private readonly strings: ArrayBuffer[] = [];
  private readonly meta: ArrayBuffer[] = [];
  private readonly replies: ArrayBuffer[] = [];

  /** Keeps a reply's buffer once nothing refers to it (decodeBatch copied its results out). */
  keepReply(buffer: ArrayBuffer): void {
    if (this.replies.length < MAX_SPARES) this.replies.push(buffer);
  }

  /** A reply buffer for a worker to write a batch's results into, if there is one to spare. */
  takeReply(): Uint8Array | undefined {
    const b = this.replies.pop();
    return b === undefined ? undefined : new Uint8Array(b);
  }

  /** Keeps the buffers a reply handed back. */
  keep(reply: BatchReply): void {
    const spent = reply.spent;
    if (!spent) return;
    if (this.code.length < MAX_SPARES) this.code.push(spent.code.buffer as ArrayBuffer);
    if (this.strings.length < MAX_SPARES) this.strings.push(spent.strings.buffer as ArrayBuffer);
    if (this.meta.length < MAX_SPARES) this.meta.push(spent.meta.buffer as ArrayBuffer);
  }

  /** A buffer of at least `bytes`: a spare one when one is big enough, else a new one with room to spare. */
  take(kind: 'code' | 'strings' | 'meta', bytes: number): ArrayBuffer {
    const list = this[kind];
    for (let i = list.length - 1; i >= 0; i--) {
      const b = list[i];
      if (b.byteLength >= bytes) {
        list[i] = list[list.length - 1];
        list.pop();
        return b;
      }
    }
    return new ArrayBuffer(bytes + (bytes >> 2));
  }
}

/** Copies the executor's part of some Programs into one transferable batch (into spare buffers when given). */
export function pack(programs: readonly ProgramCode[], ids: readonly number[], family: Family, spares?: Spares): BatchTask {
  let words = 0;
  let bytes = 0;
  for (let k = 0; k < ids.length; k++) {
    const p = programs[ids[k]];
    words += p.code.length;
    bytes += p.strings.length;
  }
  const metaWords = ids.length * META_WORDS;
  const code = spares ? new Int32Array(spares.take('code', words * 4), 0, words) : new Int32Array(words);
  const strings = spares ? new Uint8Array(spares.take('strings', bytes), 0, bytes) : new Uint8Array(bytes);
  const meta = spares ? new Int32Array(spares.take('meta', metaWords * 4), 0, metaWords) : new Int32Array(metaWords);
  let w = 0;
  let b = 0;
  for (let k = 0, m = 0; k < ids.length; k++, m += META_WORDS) {
    const p = programs[ids[k]];
    const c = p.code;
    const str = p.strings;
    code.set(c, w);
    if (str.length > 0) strings.set(str, b);
    meta[m] = w;
    meta[m + 1] = c.length;
    meta[m + 2] = b;
    meta[m + 3] = str.length;
    meta[m + 4] = p.slotCount;
    w += c.length;
    b += str.length;
  }
  const progress = new Int32Array(new SharedArrayBuffer(8));
  progress[0] = -1;
  const reply = spares?.takeReply();
  return reply ? { kind: 'batch', code, strings, meta, family, progress, reply } : { kind: 'batch', code, strings, meta, family, progress };
}

/** The result reported for a Program the pool could not run to its end. */
export function errorResult(family: Family, error: string): RunResult {
  return { steps: [], kernel: release(), family, netns: false, wire: { captured: false, reason: 'the scenario did not run to its end' }, error };
}
