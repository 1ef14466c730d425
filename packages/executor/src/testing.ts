// For tests only: lays a RunResult out as the executor's results buffer, so code that reads
// results (checking, reports) can be tested on hand-made runs through the one reader,
// ResultView. The executor itself never uses it.
import { FAMILY_CODE, type Family, type RunResult, type StepResult } from '@epl/program';
import { LAYOUT as L, ResultView } from './view';

/** `r` laid out as results.h does (with `errorOp`, the op an error is about). */
export function resultBytes(r: RunResult, errorOp = -1): Uint8Array {
  const steps: number[] = [];
  const ready: number[] = [];
  const segs: number[] = [];
  const bytes: number[] = [];
  for (const s of r.steps) {
    const w = new Array<number>(L.stepWords).fill(0);
    w[L.sRet] = s.ret;
    w[L.sErrno] = s.errno;
    w[L.sFdCount] = s.fds.length;
    w[L.sFd0] = s.fds[0] ?? -1;
    w[L.sFd1] = s.fds[1] ?? -1;
    w[L.sBytesOff] = bytes.length;
    w[L.sBytesLen] = s.bytes === undefined ? -1 : s.bytes.length;
    if (s.bytes) bytes.push(...s.bytes);
    w[L.sReadyStart] = ready.length / L.readyWords;
    w[L.sReadyCount] = s.ready === undefined ? -1 : s.ready.length;
    for (const e of s.ready ?? []) ready.push(e.slot, e.events | 0);
    w[L.sSegStart] = segs.length / L.segmentWords;
    w[L.sSegCount] = s.wire.length;
    for (const g of s.wire) segs.push(g.src, g.dst, g.flags, g.len);
    w[L.sSegDropped] = s.wireDropped ?? 0;
    steps.push(...w);
  }
  const kernel = Buffer.from(r.kernel);
  const reason = Buffer.from(r.wire.captured ? '' : (r.wire.reason ?? ''));
  const error = Buffer.from(r.error ?? '');
  const words = L.headerWords + steps.length + ready.length + segs.length;
  const textLen = kernel.length + reason.length + error.length;
  const total = words * 4 + bytes.length + textLen;
  const out = new Uint8Array((total + 3) & ~3);
  const h = new Int32Array(out.buffer, 0, words);
  h[L.hMagic] = L.magic;
  h[L.hVersion] = L.version;
  h[L.hTotalBytes] = total;
  h[L.hStepCount] = r.steps.length;
  h[L.hFlags] = (r.netns ? L.flagNetns : 0) | (r.wire.captured ? L.flagCaptured : 0);
  h[L.hFamily] = FAMILY_CODE[r.family];
  h[L.hErrorOp] = errorOp;
  h[L.hStepsOffset] = L.headerWords * 4;
  h[L.hReadyOffset] = h[L.hStepsOffset] + steps.length * 4;
  h[L.hReadyCount] = ready.length / L.readyWords;
  h[L.hSegOffset] = h[L.hReadyOffset] + ready.length * 4;
  h[L.hSegCount] = segs.length / L.segmentWords;
  h[L.hBytesOffset] = h[L.hSegOffset] + segs.length * 4;
  h[L.hBytesLen] = bytes.length;
  h[L.hTextOffset] = h[L.hBytesOffset] + bytes.length;
  h[L.hTextLen] = textLen;
  h[L.hKernelOff] = 0;
  h[L.hKernelLen] = kernel.length;
  h[L.hReasonOff] = kernel.length;
  h[L.hReasonLen] = reason.length;
  h[L.hErrorOff] = kernel.length + reason.length;
  h[L.hErrorLen] = error.length;
  h[L.hBytesDropped] = r.bytesDropped ?? 0;
  h.set(steps, L.headerWords);
  h.set(ready, L.headerWords + steps.length);
  h.set(segs, L.headerWords + steps.length + ready.length);
  out.set(bytes, h[L.hBytesOffset]);
  out.set(Buffer.concat([kernel, reason, error]), h[L.hTextOffset]);
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
