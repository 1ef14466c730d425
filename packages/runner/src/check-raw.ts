// The fast path of `check`: a run's expectations compared straight against its raw results
// buffer (layout: @epl/executor src/native/results.h, read as decode.ts reads it), with no
// decoding and no per-step allocation. It only ever answers "passed": on any mismatch, error,
// short run or malformed buffer it gives up (undefined) and the caller decodes and runs the
// full `check`, so verdicts and failure messages are the full check's own.
import { FAMILIES, OP_WORDS, Op } from '@epl/program';
import type { Program, ReadyEntry } from '@epl/program';
import { LAYOUT } from '@epl/executor';
import type { CheckResult, Failure, StepCheck, Verdict } from './check';

// Plain constants: LAYOUT is a re-export, each `LAYOUT.x` read would be a getter call.
const {
  flagCaptured,
  hBytesLen,
  hBytesOffset,
  hErrorLen,
  hFamily,
  hFlags,
  hKernelLen,
  hKernelOff,
  hMagic,
  hReadyCount,
  hReadyOffset,
  hReasonLen,
  hReasonOff,
  hSegCount,
  hSegOffset,
  hStepCount,
  hStepsOffset,
  hTextLen,
  hTextOffset,
  hTotalBytes,
  hVersion,
  headerWords,
  magic,
  readyWords,
  sBytesLen,
  sBytesOff,
  sErrno,
  sFdCount,
  sReadyCount,
  sReadyStart,
  sRet,
  sSegCount,
  sSegStart,
  segmentWords,
  stepWords,
  version,
} = LAYOUT;

const NO_FAILURES: readonly Failure[] = Object.freeze([]);

// StepChecks are immutable and determined by (index, result verdict, wire verdict): one shared
// object per combination, so a passing check allocates its steps array and nothing else.
const VERDICTS: readonly Verdict[] = ['pass', 'fail', 'unchecked', 'none'];
const V_PASS = 0;
const V_UNCHECKED = 2;
const V_NONE = 3;
const interned: StepCheck[] = [];
function stepCheck(index: number, rv: number, wv: number): StepCheck {
  const k = (index << 4) | (rv << 2) | wv;
  return (interned[k] ??= Object.freeze({ index, result: VERDICTS[rv], wire: VERDICTS[wv] }));
}

/** Whether text at [off, off+len) of a text section of `textLen` bytes is in bounds (decode's textPart). */
function textFits(off: number, len: number, textLen: number): boolean {
  return off >= 0 && len >= 0 && off + len <= textLen;
}

/**
 * Checks `program` against a raw results buffer. Returns the CheckResult when the run had no
 * error, ran every step and met every expectation, exactly as `check(program, decode(raw))`
 * would; undefined in every other case (then decode and `check`).
 */
export function checkRaw(program: Program, raw: Uint8Array): CheckResult | undefined {
  const n = program.steps.length;
  // decode copies a misaligned buffer; the pool never makes one, so leave it to the slow path.
  if ((raw.byteOffset & 3) !== 0 || raw.byteLength < headerWords * 4) return undefined;
  const w = new Int32Array(raw.buffer, raw.byteOffset, raw.byteLength >> 2);
  if (w[hMagic] !== magic || w[hVersion] !== version) return undefined;
  const total = w[hTotalBytes];
  const stepCount = w[hStepCount];
  if (total < headerWords * 4 || total > raw.byteLength || stepCount !== n || w[hErrorLen] > 0) return undefined;
  const stepsOff = w[hStepsOffset];
  const readyOff = w[hReadyOffset];
  const readyCount = w[hReadyCount];
  const segOff = w[hSegOffset];
  const segCount = w[hSegCount];
  const bytesOff = w[hBytesOffset];
  const bytesLen = w[hBytesLen];
  const textOff = w[hTextOffset];
  const textLen = w[hTextLen];
  // The same bounds decode checks (it throws where this gives up).
  if (
    readyCount < 0 || segCount < 0 || bytesLen < 0 || textLen < 0 ||
    stepsOff !== headerWords * 4 ||
    readyOff !== stepsOff + stepCount * stepWords * 4 ||
    segOff !== readyOff + readyCount * readyWords * 4 ||
    bytesOff !== segOff + segCount * segmentWords * 4 ||
    textOff !== bytesOff + bytesLen ||
    textOff + textLen !== total
  ) return undefined;
  const captured = (w[hFlags] & flagCaptured) !== 0;
  if (FAMILIES[w[hFamily]] === undefined) return undefined;
  if (!textFits(w[hKernelOff], w[hKernelLen], textLen)) return undefined;
  if (!captured && !textFits(w[hReasonOff], w[hReasonLen], textLen)) return undefined;
  const readyBase = readyOff >> 2;
  const segBase = segOff >> 2;
  const code = program.code;
  const steps: StepCheck[] = new Array(n);
  let checked = 0;
  let passed = 0;
  let wireUnchecked = 0;
  for (let i = 0, b = stepsOff >> 2; i < n; i++, b += stepWords) {
    const fdCount = w[b + sFdCount];
    if (fdCount < 0 || fdCount > 2) return undefined;
    const bl = w[b + sBytesLen];
    const bo = w[b + sBytesOff];
    if (bl >= 0 && (bo < 0 || bo + bl > bytesLen)) return undefined;
    const rc = w[b + sReadyCount];
    const rs = w[b + sReadyStart];
    if (rc >= 0 && (rs < 0 || rs + rc > readyCount)) return undefined;
    const sc = w[b + sSegCount];
    const ss = w[b + sSegStart];
    if (sc < 0 || ss < 0 || ss + sc > segCount) return undefined;
    const step = program.steps[i];
    let rv = V_NONE;
    let wv = V_NONE;
    const e = step.expect;
    if (e !== undefined) {
      const errno = w[b + sErrno];
      const ret = w[b + sRet];
      let ok: boolean;
      switch (e.kind) {
        case 'ok':
          ok = errno === 0 && ret === 0;
          break;
        case 'number':
          ok = errno === 0 && ret === e.value;
          break;
        case 'errno':
          ok = errno === e.code;
          break;
        case 'bytes': {
          // A step that recorded no bytes compares as empty (check's `r.bytes ?? new Uint8Array(0)`).
          const len = bl >= 0 ? bl : 0;
          const want = e.value;
          ok = errno === 0 && want.length === len;
          for (let j = 0, at = bytesOff + bo; ok && j < len; j++) ok = raw[at + j] === want[j];
          break;
        }
        case 'ready': {
          if (e.entries.length > 30) return undefined;
          ok = errno === 0 && sameReady(e.entries, w, readyBase + rs * readyWords, rc >= 0 ? rc : 0);
          break;
        }
        case 'none':
          ok = code[i * OP_WORDS] === Op.wait && errno === 0 && rc <= 0;
          break;
      }
      if (!ok) return undefined;
      rv = V_PASS;
      checked++;
      passed++;
    }
    const we = step.wire;
    if (we !== undefined) {
      if (!captured) {
        // Never a pass: the report counts these apart and says why.
        wv = V_UNCHECKED;
        wireUnchecked++;
      } else {
        if (we.kind === 'none') {
          if (sc !== 0) return undefined;
        } else {
          const segs = we.segments;
          if (segs.length !== sc) return undefined;
          for (let k = 0, s = segBase + ss * segmentWords; k < sc; k++, s += segmentWords) {
            const g = segs[k];
            if (g.src !== w[s] || g.dst !== w[s + 1] || g.flags !== w[s + 2] || g.len !== w[s + 3]) return undefined;
          }
        }
        wv = V_PASS;
        checked++;
        passed++;
      }
    }
    steps[i] = stepCheck(i, rv, wv);
  }
  return { pass: true, steps, failures: NO_FAILURES, checked, passed, wireUnchecked, notRun: 0 };
}

/** check's sameReady over the raw ready section: a multiset match, for lists of at most 30. */
function sameReady(want: readonly ReadyEntry[], w: Int32Array, at: number, count: number): boolean {
  if (want.length !== count) return false;
  let used = 0;
  for (const e of want) {
    const events = e.events >>> 0;
    let j = 0;
    for (let r = at; j < count; j++, r += readyWords) {
      if (!(used & (1 << j)) && w[r] === e.slot && w[r + 1] >>> 0 === events) break;
    }
    if (j === count) return false;
    used |= 1 << j;
  }
  return true;
}
