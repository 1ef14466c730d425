// For tests only: lays a RunResult out as the executor's results buffer, so code that reads
// results (checking, reports) can be tested on hand-made runs through the one reader,
// ResultView. The executor itself never uses it.
import { FAMILY_CODE, type Family, type RunResult, type StepResult } from '@epl/program';
import { LAYOUT as L, ResultView } from './view';

/** `r` laid out as results.h does (with `errorOp`, the op an error is about). */
export function resultBytes(r: RunResult, errorOp = -1): Uint8Array {
  let readyCount = 0;
  let segCount = 0;
  let bytesLen = 0;
  for (const s of r.steps) {
    readyCount += s.ready?.length ?? 0;
    segCount += s.wire.length;
    bytesLen += s.bytes?.length ?? 0;
  }
  const kernel = Buffer.from(r.kernel);
  const reason = Buffer.from(r.wire.captured ? '' : (r.wire.reason ?? ''));
  const error = Buffer.from(r.error ?? '');
  const stepsOff = L.headerWords * 4;
  const readyOff = stepsOff + r.steps.length * L.stepWords * 4;
  const segOff = readyOff + readyCount * L.readyWords * 4;
  const bytesOff = segOff + segCount * L.segmentWords * 4;
  const textOff = bytesOff + bytesLen;
  const textLen = kernel.length + reason.length + error.length;
  const total = textOff + textLen;
  const out = new Uint8Array((total + 3) & ~3);
  const w = new Int32Array(out.buffer, 0, bytesOff >> 2);
  let ready = 0;
  let seg = 0;
  let b = 0;
  r.steps.forEach((s, i) => {
    const at = (stepsOff >> 2) + i * L.stepWords;
    w[at + L.sRet] = s.ret;
    w[at + L.sErrno] = s.errno;
    w[at + L.sFdCount] = s.fds.length;
    w[at + L.sFd0] = s.fds[0] ?? -1;
    w[at + L.sFd1] = s.fds[1] ?? -1;
    w[at + L.sBytesOff] = b;
    w[at + L.sBytesLen] = s.bytes === undefined ? -1 : s.bytes.length;
    if (s.bytes) {
      out.set(s.bytes, bytesOff + b);
      b += s.bytes.length;
    }
    w[at + L.sReadyStart] = ready;
    w[at + L.sReadyCount] = s.ready === undefined ? -1 : s.ready.length;
    for (const e of s.ready ?? []) {
      w[(readyOff >> 2) + ready * L.readyWords] = e.slot;
      w[(readyOff >> 2) + ready * L.readyWords + 1] = e.events | 0;
      ready++;
    }
    w[at + L.sSegStart] = seg;
    w[at + L.sSegCount] = s.wire.length;
    for (const g of s.wire) {
      w.set([g.src, g.dst, g.flags, g.len], (segOff >> 2) + seg * L.segmentWords);
      seg++;
    }
    w[at + L.sSegDropped] = s.wireDropped ?? 0;
  });
  w[L.hMagic] = L.magic;
  w[L.hVersion] = L.version;
  w[L.hTotalBytes] = total;
  w[L.hStepCount] = r.steps.length;
  w[L.hFlags] = (r.netns ? L.flagNetns : 0) | (r.wire.captured ? L.flagCaptured : 0);
  w[L.hFamily] = FAMILY_CODE[r.family];
  w[L.hErrorOp] = errorOp;
  w[L.hStepsOffset] = stepsOff;
  w[L.hReadyOffset] = readyOff;
  w[L.hReadyCount] = readyCount;
  w[L.hSegOffset] = segOff;
  w[L.hSegCount] = segCount;
  w[L.hBytesOffset] = bytesOff;
  w[L.hBytesLen] = bytesLen;
  w[L.hTextOffset] = textOff;
  w[L.hTextLen] = textLen;
  w[L.hKernelOff] = 0;
  w[L.hKernelLen] = kernel.length;
  w[L.hReasonOff] = kernel.length;
  w[L.hReasonLen] = reason.length;
  w[L.hErrorOff] = kernel.length + reason.length;
  w[L.hErrorLen] = error.length;
  w[L.hBytesDropped] = r.bytesDropped ?? 0;
  out.set(kernel, textOff);
  out.set(reason, textOff + kernel.length);
  out.set(error, textOff + kernel.length + reason.length);
  return out;
}

/** A view of `r`, laid out as the executor would have written it. */
export function viewOf(r: RunResult, errorOp = -1): ResultView {
  return ResultView.of(resultBytes(r, errorOp));
}

/** A step result with defaults: ret 0, no errno, nothing bound, no wire. */
export function step(s: Partial<StepResult> = {}): StepResult {
  return { ret: 0, errno: 0, fds: [], wire: [], ...s };
}

/** A run of `steps` on a test kernel (captured, in its own namespace unless told otherwise). */
export function result(steps: StepResult[], opts: { family?: Family; captured?: boolean; error?: string; bytesDropped?: number } = {}): RunResult {
  const captured = opts.captured ?? true;
  return {
    steps,
    kernel: '6.18.0-test',
    family: opts.family ?? 'tcp',
    netns: true,
    wire: captured ? { captured } : { captured, reason: 'no CAP_NET_RAW' },
    ...(opts.error !== undefined ? { error: opts.error } : {}),
    ...(opts.bytesDropped !== undefined ? { bytesDropped: opts.bytesDropped } : {}),
  };
}
