// Decoding the executor's results buffer (layout: src/native/results.h, README "Results buffer")
// into a RunResult. Typed-array reads only; nothing is parsed twice.
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

const L = LAYOUT;
const NO_FDS: readonly number[] = Object.freeze([]);
const NO_SEGMENTS: readonly Segment[] = Object.freeze([]);
const NO_READY: readonly ReadyEntry[] = Object.freeze([]);

function bad(why: string): never {
  throw new Error(`not an executor results buffer: ${why}`);
}

function text(raw: Uint8Array, base: number, off: number, len: number): string {
  return len === 0 ? '' : Buffer.from(raw.buffer, raw.byteOffset + base + off, len).toString('utf8');
}

/**
 * Decodes one results buffer. `bytes` of read steps are views into `raw` unless `copyBytes`
 * is set (for a buffer that will be reused). Throws on a buffer that is not a well-formed one.
 */
export function decode(raw: Uint8Array, copyBytes = false): RunResult {
  if (!(raw instanceof Uint8Array)) bad('expected a Uint8Array');
  if (raw.byteLength < L.headerWords * 4) bad(`${raw.byteLength} bytes, shorter than the header`);
  // Int32 views need 4-byte alignment; a stray subarray gets copied once.
  if (raw.byteOffset % 4 !== 0) raw = raw.slice();
  const h = new Int32Array(raw.buffer, raw.byteOffset, L.headerWords);
  if (h[L.hMagic] !== L.magic) bad('wrong magic number');
  if (h[L.hVersion] !== L.version) bad(`version ${h[L.hVersion]}, expected ${L.version}`);
  const total = h[L.hTotalBytes];
  if (total < L.headerWords * 4 || total > raw.byteLength) bad(`total ${total} outside the ${raw.byteLength} bytes given`);
  const stepCount = h[L.hStepCount];
  const stepsOff = h[L.hStepsOffset];
  const readyOff = h[L.hReadyOffset];
  const readyCount = h[L.hReadyCount];
  const segOff = h[L.hSegOffset];
  const segCount = h[L.hSegCount];
  const bytesOff = h[L.hBytesOffset];
  const bytesLen = h[L.hBytesLen];
  const textOff = h[L.hTextOffset];
  const textLen = h[L.hTextLen];
  // Sections follow each other in this order; checking the chain bounds every read below.
  if (
    stepCount < 0 ||
    readyCount < 0 ||
    segCount < 0 ||
    bytesLen < 0 ||
    textLen < 0 ||
    stepsOff !== L.headerWords * 4 ||
    readyOff !== stepsOff + stepCount * L.stepWords * 4 ||
    segOff !== readyOff + readyCount * L.readyWords * 4 ||
    bytesOff !== segOff + segCount * L.segmentWords * 4 ||
    textOff !== bytesOff + bytesLen ||
    textOff + textLen !== total
  )
    bad('sections do not add up');
  const w = new Int32Array(raw.buffer, raw.byteOffset, bytesOff >> 2);
  const textPart = (offWord: number, lenWord: number): string => {
    const o = h[offWord];
    const n = h[lenWord];
    if (o < 0 || n < 0 || o + n > textLen) bad('text outside the text section');
    return text(raw, textOff, o, n);
  };
  const stepBase = stepsOff >> 2;
  const readyBase = readyOff >> 2;
  const segBase = segOff >> 2;
  const steps = new Array<StepResult>(stepCount);
  for (let i = 0; i < stepCount; i++) {
    const b = stepBase + i * L.stepWords;
    const fdCount = w[b + L.sFdCount];
    const fds = fdCount === 0 ? NO_FDS : fdCount === 1 ? [w[b + L.sFd0]] : fdCount === 2 ? [w[b + L.sFd0], w[b + L.sFd1]] : bad(`step ${i}: ${fdCount} fds`);
    let bytes: Uint8Array | undefined;
    const bl = w[b + L.sBytesLen];
    if (bl >= 0) {
      const bo = w[b + L.sBytesOff];
      if (bo < 0 || bo + bl > bytesLen) bad(`step ${i}: bytes outside the bytes section`);
      const start = raw.byteOffset + bytesOff + bo;
      bytes = copyBytes ? new Uint8Array(raw.buffer.slice(start, start + bl)) : new Uint8Array(raw.buffer, start, bl);
    }
    let ready: ReadyEntry[] | readonly ReadyEntry[] | undefined;
    const rc = w[b + L.sReadyCount];
    if (rc >= 0) {
      const rs = w[b + L.sReadyStart];
      if (rs < 0 || rs + rc > readyCount) bad(`step ${i}: ready list outside the ready section`);
      if (rc === 0) ready = NO_READY;
      else {
        const list = new Array<ReadyEntry>(rc);
        for (let k = 0, r = readyBase + rs * L.readyWords; k < rc; k++, r += L.readyWords) list[k] = { slot: w[r], events: w[r + 1] >>> 0 };
        ready = list;
      }
    }
    const sc = w[b + L.sSegCount];
    const ss = w[b + L.sSegStart];
    if (sc < 0 || ss < 0 || ss + sc > segCount) bad(`step ${i}: segments outside the segment section`);
    let wire: readonly Segment[] = NO_SEGMENTS;
    if (sc > 0) {
      const list = new Array<Segment>(sc);
      for (let k = 0, s = segBase + ss * L.segmentWords; k < sc; k++, s += L.segmentWords)
        list[k] = { src: w[s], dst: w[s + 1], flags: w[s + 2], len: w[s + 3] };
      wire = list;
    }
    const dropped = w[b + L.sSegDropped];
    const step: StepResult = { ret: w[b + L.sRet], errno: w[b + L.sErrno], fds, bytes, ready, wire };
    steps[i] = dropped > 0 ? { ...step, wireDropped: dropped } : step;
  }
  const flags = h[L.hFlags];
  const captured = (flags & L.flagCaptured) !== 0;
  const family: Family = FAMILIES[h[L.hFamily]] ?? bad(`family code ${h[L.hFamily]}`);
  const error = h[L.hErrorLen] > 0 ? textPart(L.hErrorOff, L.hErrorLen) : undefined;
  const result: RunResult = {
    steps,
    kernel: textPart(L.hKernelOff, L.hKernelLen),
    family,
    netns: (flags & L.flagNetns) !== 0,
    wire: captured ? { captured } : { captured, reason: textPart(L.hReasonOff, L.hReasonLen) },
    error,
  };
  const bytesDropped = h[L.hBytesDropped];
  if (bytesDropped < 0) bad(`${bytesDropped} bytes dropped`);
  return bytesDropped > 0 ? { ...result, bytesDropped } : result;
}
