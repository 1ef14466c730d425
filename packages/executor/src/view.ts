// The one reader of the executor's results buffer (layout: src/native/results.h, README
// "Results buffer"). A ResultView is validated once, when it is made; after that every field is
// a typed-array read, with no copy and no allocation. Checking reads the view directly; objects
// (`step(i)`, `toResult()`) are made only where a person reads them.
import { FAMILIES, type Family, type ReadyEntry, type RunResult, type Segment, type StepResult } from '@epl/program';

/** The results buffer layout; nativeInfo().layout must equal it (a test checks). */
export const LAYOUT = {
  magic: 0x524c5045,
  version: 1,
  headerWords: 24,
  stepWords: 13,
  readyWords: 2,
  segmentWords: 4,
  hMagic: 0,
  hVersion: 1,
  hTotalBytes: 2,
  hStepCount: 3,
  hFlags: 4,
  hFamily: 5,
  hErrorOp: 6,
  hStepsOffset: 7,
  hReadyOffset: 8,
  hReadyCount: 9,
  hSegOffset: 10,
  hSegCount: 11,
  hBytesOffset: 12,
  hBytesLen: 13,
  hTextOffset: 14,
  hTextLen: 15,
  hKernelOff: 16,
  hKernelLen: 17,
  hReasonOff: 18,
  hReasonLen: 19,
  hErrorOff: 20,
  hErrorLen: 21,
  hBytesDropped: 22,
  flagNetns: 1,
  flagCaptured: 2,
  sOpcode: 0,
  sRet: 1,
  sErrno: 2,
  sFdCount: 3,
  sFd0: 4,
  sFd1: 5,
  sBytesOff: 6,
  sBytesLen: 7,
  sReadyStart: 8,
  sReadyCount: 9,
  sSegStart: 10,
  sSegCount: 11,
  sSegDropped: 12,
  maxRunBytes: 2 << 20,
  maxRunSegments: 16384,
  maxRunReady: 16384,
} as const;

// Plain constants: each `LAYOUT.x` read through a re-export would be a property load.
const {
  headerWords: HEADER_WORDS,
  stepWords: STEP_WORDS,
  readyWords: READY_WORDS,
  segmentWords: SEG_WORDS,
  sRet,
  sErrno,
  sFdCount,
  sFd0,
  sBytesOff,
  sBytesLen,
  sReadyStart,
  sReadyCount,
  sSegStart,
  sSegCount,
  sSegDropped,
  sOpcode,
} = LAYOUT;

/** A buffer that is not a well-formed results buffer (an executor or transport bug, never a script's doing). */
export class ResultsError extends Error {
  constructor(why: string) {
    super(`not an executor results buffer: ${why}`);
    this.name = 'ResultsError';
  }
}

function bad(why: string): never {
  throw new ResultsError(why);
}

const NO_FDS: readonly number[] = Object.freeze([]);
const NO_SEGMENTS: readonly Segment[] = Object.freeze([]);
const NO_READY: readonly ReadyEntry[] = Object.freeze([]);

/**
 * One run's results. `words` and `bytes` view the same memory (often a whole batch reply);
 * `at` is where this run starts in it, in bytes (4-byte aligned). Field readers take a step
 * index `i` (0 ≤ i < stepCount) and, for lists, an entry index `k`; they do not re-check bounds:
 * the constructor checked every offset once.
 */
export class ResultView {
  /** Size of this run's results in bytes (its header's total). */
  readonly byteLength: number;
  readonly stepCount: number;
  private readonly steps: number;
  private readonly ready: number;
  private readonly segs: number;
  private readonly bytesAt: number;
  private readonly textAt: number;
  private readonly textLen: number;

  /** Validates the results at byte `at` of `bytes` (which `words` views from the same offset). */
  constructor(
    private readonly words: Int32Array,
    private readonly bytes: Uint8Array,
    private readonly at = 0,
  ) {
    const avail = bytes.byteLength - at;
    if (at < 0 || (at & 3) !== 0 || avail < HEADER_WORDS * 4) bad(`${avail} bytes at ${at}, shorter than the header`);
    const h = at >> 2;
    const w = words;
    if (w[h + LAYOUT.hMagic] !== LAYOUT.magic) bad('wrong magic number');
    if (w[h + LAYOUT.hVersion] !== LAYOUT.version) bad(`version ${w[h + LAYOUT.hVersion]}, expected ${LAYOUT.version}`);
    const total = w[h + LAYOUT.hTotalBytes];
    if (total < HEADER_WORDS * 4 || total > avail) bad(`total ${total} outside the ${avail} bytes given`);
    const stepCount = w[h + LAYOUT.hStepCount];
    const stepsOff = w[h + LAYOUT.hStepsOffset];
    const readyOff = w[h + LAYOUT.hReadyOffset];
    const readyCount = w[h + LAYOUT.hReadyCount];
    const segOff = w[h + LAYOUT.hSegOffset];
    const segCount = w[h + LAYOUT.hSegCount];
    const bytesOff = w[h + LAYOUT.hBytesOffset];
    const bytesLen = w[h + LAYOUT.hBytesLen];
    const textOff = w[h + LAYOUT.hTextOffset];
    const textLen = w[h + LAYOUT.hTextLen];
    // Sections follow each other in this order; checking the chain bounds every read below.
    if (
      stepCount < 0 ||
      readyCount < 0 ||
      segCount < 0 ||
      bytesLen < 0 ||
      textLen < 0 ||
      stepsOff !== HEADER_WORDS * 4 ||
      readyOff !== stepsOff + stepCount * STEP_WORDS * 4 ||
      segOff !== readyOff + readyCount * READY_WORDS * 4 ||
      bytesOff !== segOff + segCount * SEG_WORDS * 4 ||
      textOff !== bytesOff + bytesLen ||
      textOff + textLen !== total
    )
      bad('sections do not add up');
    if (FAMILIES[w[h + LAYOUT.hFamily]] === undefined) bad(`family code ${w[h + LAYOUT.hFamily]}`);
    const textFits = (o: number, n: number) => o >= 0 && n >= 0 && o + n <= textLen;
    if (!textFits(w[h + LAYOUT.hKernelOff], w[h + LAYOUT.hKernelLen])) bad('kernel text outside the text section');
    if (!textFits(w[h + LAYOUT.hReasonOff], w[h + LAYOUT.hReasonLen])) bad('reason text outside the text section');
    if (!textFits(w[h + LAYOUT.hErrorOff], w[h + LAYOUT.hErrorLen])) bad('error text outside the text section');
    if (w[h + LAYOUT.hBytesDropped] < 0) bad(`${w[h + LAYOUT.hBytesDropped]} bytes dropped`);
    for (let i = 0, b = h + (stepsOff >> 2); i < stepCount; i++, b += STEP_WORDS) {
      const fdCount = w[b + sFdCount];
      if (fdCount < 0 || fdCount > 2) bad(`step ${i}: ${fdCount} fds`);
      const bl = w[b + sBytesLen];
      const bo = w[b + sBytesOff];
      if (bl >= 0 && (bo < 0 || bo + bl > bytesLen)) bad(`step ${i}: bytes outside the bytes section`);
      const rc = w[b + sReadyCount];
      const rs = w[b + sReadyStart];
      if (rc >= 0 && (rs < 0 || rs + rc > readyCount)) bad(`step ${i}: ready list outside the ready section`);
      const sc = w[b + sSegCount];
      const ss = w[b + sSegStart];
      if (sc < 0 || ss < 0 || ss + sc > segCount) bad(`step ${i}: segments outside the segment section`);
      if (w[b + sSegDropped] < 0) bad(`step ${i}: negative dropped count`);
    }
    this.byteLength = total;
    this.stepCount = stepCount;
    this.steps = h + (stepsOff >> 2);
    this.ready = h + (readyOff >> 2);
    this.segs = h + (segOff >> 2);
    this.bytesAt = at + bytesOff;
    this.textAt = at + textOff;
    this.textLen = textLen;
  }

  /** A view of a results buffer of its own (one run, as `run` or a copy gives it). */
  static of(raw: Uint8Array): ResultView {
    // Int32 views need 4-byte alignment; a stray subarray gets copied once.
    if (raw.byteOffset % 4 !== 0) raw = raw.slice();
    return new ResultView(new Int32Array(raw.buffer, raw.byteOffset, raw.byteLength >> 2), raw, 0);
  }

  private header(word: number): number {
    return this.words[(this.at >> 2) + word];
  }

  private text(offWord: number, lenWord: number): string {
    const n = this.header(lenWord);
    if (n === 0) return '';
    const b = this.bytes;
    return Buffer.from(b.buffer, b.byteOffset + this.textAt + this.header(offWord), n).toString('utf8');
  }

  /** This run's bytes, as laid out (a view into the memory it was read from). */
  raw(): Uint8Array {
    return this.bytes.subarray(this.at, this.at + this.byteLength);
  }

  /** A view of a copy of these results: it stays valid when the memory it was read from is reused. */
  copy(): ResultView {
    return ResultView.of(this.raw().slice());
  }

  /** `uname -r` of the kernel that answered. */
  get kernel(): string {
    return this.text(LAYOUT.hKernelOff, LAYOUT.hKernelLen);
  }
  get family(): Family {
    return FAMILIES[this.header(LAYOUT.hFamily)];
  }
  /** The run had a network namespace of its own. */
  get netns(): boolean {
    return (this.header(LAYOUT.hFlags) & LAYOUT.flagNetns) !== 0;
  }
  /** The wire was captured. */
  get captured(): boolean {
    return (this.header(LAYOUT.hFlags) & LAYOUT.flagCaptured) !== 0;
  }
  /** Why the wire was not captured (undefined when it was). */
  get captureReason(): string | undefined {
    return this.captured ? undefined : this.text(LAYOUT.hReasonOff, LAYOUT.hReasonLen);
  }
  /** Set when the Program was refused or the executor failed; the steps before it ran. */
  get error(): string | undefined {
    return this.header(LAYOUT.hErrorLen) > 0 ? this.text(LAYOUT.hErrorOff, LAYOUT.hErrorLen) : undefined;
  }
  /** The op the error is about (-1: none, or the run as a whole). */
  get errorOp(): number {
    return this.header(LAYOUT.hErrorOp);
  }
  /** Read bytes not kept: the run passed LAYOUT.maxRunBytes (2 MiB) of recorded reads. */
  get bytesDropped(): number {
    return this.header(LAYOUT.hBytesDropped);
  }

  opcode(i: number): number {
    return this.words[this.steps + i * STEP_WORDS + sOpcode];
  }
  /** The call's return value (-1 when errno is set; creating ops return 0 on success). */
  ret(i: number): number {
    return this.words[this.steps + i * STEP_WORDS + sRet];
  }
  /** errno of the failed call, 0 on success. */
  errno(i: number): number {
    return this.words[this.steps + i * STEP_WORDS + sErrno];
  }
  /** Descriptors a creating op bound (0, 1 or 2). */
  fdCount(i: number): number {
    return this.words[this.steps + i * STEP_WORDS + sFdCount];
  }
  /** The k-th real descriptor number the op bound (-1: none). */
  fd(i: number, k: number): number {
    return this.words[this.steps + i * STEP_WORDS + sFd0 + k];
  }
  /** Bytes the step read and kept: -1 when the op records none. */
  bytesLength(i: number): number {
    return this.words[this.steps + i * STEP_WORDS + sBytesLen];
  }
  /** The k-th byte the step read (k < bytesLength(i)). */
  byteAt(i: number, k: number): number {
    return this.bytes[this.bytesAt + this.words[this.steps + i * STEP_WORDS + sBytesOff] + k];
  }
  /** The bytes the step read, as a view into this memory (undefined when the op records none). */
  bytesOf(i: number): Uint8Array | undefined {
    const b = this.steps + i * STEP_WORDS;
    const len = this.words[b + sBytesLen];
    if (len < 0) return undefined;
    const from = this.bytesAt + this.words[b + sBytesOff];
    return this.bytes.subarray(from, from + len);
  }
  /** Entries of a wait's ready list: -1 when the op is not a wait (or failed before listing). */
  readyCount(i: number): number {
    return this.words[this.steps + i * STEP_WORDS + sReadyCount];
  }
  /** The slot named by the k-th ready entry's data. */
  readySlot(i: number, k: number): number {
    return this.words[this.ready + (this.words[this.steps + i * STEP_WORDS + sReadyStart] + k) * READY_WORDS];
  }
  /** The events of the k-th ready entry (as an unsigned mask). */
  readyEvents(i: number, k: number): number {
    return this.words[this.ready + (this.words[this.steps + i * STEP_WORDS + sReadyStart] + k) * READY_WORDS + 1] >>> 0;
  }
  /** Segments captured during the step (stored ones; see segDropped). */
  segCount(i: number): number {
    return this.words[this.steps + i * STEP_WORDS + sSegCount];
  }
  /** Word `field` (0 src, 1 dst, 2 flags, 3 len) of the step's k-th segment. */
  seg(i: number, k: number, field: 0 | 1 | 2 | 3): number {
    return this.words[this.segs + (this.words[this.steps + i * STEP_WORDS + sSegStart] + k) * SEG_WORDS + field];
  }
  /** Segments of the step past LIMITS.maxSegmentsPerStep: counted, not stored. */
  segDropped(i: number): number {
    return this.words[this.steps + i * STEP_WORDS + sSegDropped];
  }

  /** Step `i` as an object; its bytes are copied (it outlives this memory). */
  step(i: number): StepResult {
    const fdCount = this.fdCount(i);
    const fds = fdCount === 0 ? NO_FDS : fdCount === 1 ? [this.fd(i, 0)] : [this.fd(i, 0), this.fd(i, 1)];
    const bytes = this.bytesOf(i)?.slice();
    let ready: readonly ReadyEntry[] | undefined;
    const rc = this.readyCount(i);
    if (rc === 0) ready = NO_READY;
    else if (rc > 0) {
      const list = new Array<ReadyEntry>(rc);
      for (let k = 0; k < rc; k++) list[k] = { slot: this.readySlot(i, k), events: this.readyEvents(i, k) };
      ready = list;
    }
    const sc = this.segCount(i);
    let wire: readonly Segment[] = NO_SEGMENTS;
    if (sc > 0) {
      const list = new Array<Segment>(sc);
      for (let k = 0; k < sc; k++) list[k] = { src: this.seg(i, k, 0), dst: this.seg(i, k, 1), flags: this.seg(i, k, 2), len: this.seg(i, k, 3) };
      wire = list;
    }
    const dropped = this.segDropped(i);
    const step: StepResult = { ret: this.ret(i), errno: this.errno(i), fds, bytes, ready, wire };
    return dropped > 0 ? { ...step, wireDropped: dropped } : step;
  }

  /** The whole run as objects (for a person, a JSON record, a test): nothing in it refers to this memory. */
  toResult(): RunResult {
    const steps = new Array<StepResult>(this.stepCount);
    for (let i = 0; i < this.stepCount; i++) steps[i] = this.step(i);
    const captured = this.captured;
    const error = this.error;
    const dropped = this.bytesDropped;
    return {
      steps,
      kernel: this.kernel,
      family: this.family,
      netns: this.netns,
      wire: captured ? { captured } : { captured, reason: this.captureReason },
      ...(error !== undefined ? { error } : {}),
      ...(dropped > 0 ? { bytesDropped: dropped } : {}),
    };
  }
}

/**
 * The views of a batch reply: results laid back to back, each starting 4-byte aligned (`count` of
 * them when given, else as many as the reply holds). Throws ResultsError when the reply does not
 * hold exactly that.
 */
export function readBatch(raw: Uint8Array, count?: number): ResultView[] {
  if (raw.byteOffset % 4 !== 0) raw = raw.slice();
  const words = new Int32Array(raw.buffer, raw.byteOffset, raw.byteLength >> 2);
  const out: ResultView[] = [];
  let at = 0;
  while (count === undefined ? at < raw.byteLength : out.length < count) {
    const v = new ResultView(words, raw, at);
    out.push(v);
    at += (v.byteLength + 3) & ~3;
  }
  if (at !== raw.byteLength) bad(`${raw.byteLength - at} bytes after the last of ${out.length} results`);
  return out;
}
