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
// object per combination.
const VERDICTS: readonly Verdict[] = ['pass', 'fail', 'unchecked', 'none'];
const V_PASS = 0;
const V_UNCHECKED = 2;
const V_NONE = 3;
const interned: StepCheck[] = [];
function stepCheck(index: number, rv: number, wv: number): StepCheck {
  const k = (index << 4) | (rv << 2) | wv;
  return (interned[k] ??= Object.freeze({ index, result: VERDICTS[rv], wire: VERDICTS[wv] }));
}

/**
 * A clean pass. Its per-step verdicts follow from the Program alone (every `=>` passed, every
 * `~>` passed or, without capture, is unchecked), so `steps` is made on first read only: most
 * passes are counted, never looked into.
 */
class Passed implements CheckResult {
  readonly pass = true;
  readonly failures = NO_FAILURES;
  readonly notRun = 0;
  readonly #program: Program;
  readonly #captured: boolean;
  #steps: readonly StepCheck[] | undefined;

  constructor(
    program: Program,
    captured: boolean,
    readonly checked: number,
    readonly passed: number,
    readonly wireUnchecked: number,
  ) {
    this.#program = program;
    this.#captured = captured;
  }

  get wireCaptured(): boolean {
    return this.#captured;
  }

  get steps(): readonly StepCheck[] {
    if (this.#steps === undefined) {
      const wv = this.#captured ? V_PASS : V_UNCHECKED;
      this.#steps = this.#program.steps.map((s, i) => stepCheck(i, s.expect ? V_PASS : V_NONE, s.wire ? wv : V_NONE));
    }
    return this.#steps;
  }
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
  // decode copies a misaligned buffer; the pool never makes one, so leave it to the slow path.
  if ((raw.byteOffset & 3) !== 0) return undefined;
  return checkRawAt(program, new Int32Array(raw.buffer, raw.byteOffset, raw.byteLength >> 2), raw, 0, raw.byteLength);
}

/**
 * checkRaw of the result at byte `at` (4-byte aligned) of a buffer holding several, `length`
 * bytes long: `w` and `bytes` view the whole buffer from the same offset, so results packed
 * back to back can be checked through two views made once.
 */
export function checkRawAt(program: Program, w: Int32Array, bytes: Uint8Array, at: number, length: number): CheckResult | undefined {
  const n = program.steps.length;
  if (length < headerWords * 4) return undefined;
  const h = at >> 2;
  if (w[h + hMagic] !== magic || w[h + hVersion] !== version) return undefined;
  const total = w[h + hTotalBytes];
  const stepCount = w[h + hStepCount];
  if (total < headerWords * 4 || total > length || stepCount !== n || w[h + hErrorLen] > 0) return undefined;
  const stepsOff = w[h + hStepsOffset];
  const readyOff = w[h + hReadyOffset];
  const readyCount = w[h + hReadyCount];
  const segOff = w[h + hSegOffset];
  const segCount = w[h + hSegCount];
  const bytesOff = w[h + hBytesOffset];
  const bytesLen = w[h + hBytesLen];
  const textOff = w[h + hTextOffset];
  const textLen = w[h + hTextLen];
  // The same bounds decode checks (it throws where this gives up).
  if (
    readyCount < 0 ||
    segCount < 0 ||
    bytesLen < 0 ||
    textLen < 0 ||
    stepsOff !== headerWords * 4 ||
    readyOff !== stepsOff + stepCount * stepWords * 4 ||
    segOff !== readyOff + readyCount * readyWords * 4 ||
    bytesOff !== segOff + segCount * segmentWords * 4 ||
    textOff !== bytesOff + bytesLen ||
    textOff + textLen !== total
  )
    return undefined;
  const captured = (w[h + hFlags] & flagCaptured) !== 0;
  if (FAMILIES[w[h + hFamily]] === undefined) return undefined;
  if (!textFits(w[h + hKernelOff], w[h + hKernelLen], textLen)) return undefined;
  if (!captured && !textFits(w[h + hReasonOff], w[h + hReasonLen], textLen)) return undefined;
  const readyBase = h + (readyOff >> 2);
  const segBase = h + (segOff >> 2);
  const code = program.code;
  let checked = 0;
  let passed = 0;
  let wireUnchecked = 0;
  for (let i = 0, b = h + (stepsOff >> 2); i < n; i++, b += stepWords) {
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
          for (let j = 0, from = at + bytesOff + bo; ok && j < len; j++) ok = bytes[from + j] === want[j];
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
      checked++;
      passed++;
    }
    const we = step.wire;
    if (we !== undefined) {
      if (!captured) {
        // Never a pass: the report counts these apart and says why.
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
        checked++;
        passed++;
      }
    }
  }
  return new Passed(program, captured, checked, passed, wireUnchecked);
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
