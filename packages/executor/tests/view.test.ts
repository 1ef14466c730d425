// ResultView on hand-made buffers: every field lands where the layout says, and a buffer that is
// not a well-formed one is refused with a message instead of being read out of bounds.
import { LAYOUT, ResultView, readBatch } from '../src/view';

const decode = (raw: Uint8Array) => ResultView.of(raw).toResult();

const L = LAYOUT;

interface HandStep {
  ret: number;
  errno?: number;
  fds?: number[];
  bytes?: string;
  ready?: [number, number][];
  wire?: [number, number, number, number][];
  dropped?: number;
}

/** Builds a results buffer the way results.h lays it out. */
function handMade(
  steps: HandStep[],
  opts: { flags?: number; family?: number; kernel?: string; reason?: string; error?: string; errorOp?: number } = {},
): Uint8Array {
  const stepWords: number[] = [];
  const ready: number[] = [];
  const segs: number[] = [];
  let bytes = '';
  for (const s of steps) {
    const w = new Array<number>(L.stepWords).fill(0);
    w[L.sOpcode] = 1;
    w[L.sRet] = s.ret;
    w[L.sErrno] = s.errno ?? 0;
    w[L.sFdCount] = s.fds?.length ?? 0;
    w[L.sFd0] = s.fds?.[0] ?? -1;
    w[L.sFd1] = s.fds?.[1] ?? -1;
    w[L.sBytesOff] = bytes.length;
    w[L.sBytesLen] = s.bytes === undefined ? -1 : s.bytes.length;
    if (s.bytes) bytes += s.bytes;
    w[L.sReadyStart] = ready.length / 2;
    w[L.sReadyCount] = s.ready ? s.ready.length : -1;
    for (const r of s.ready ?? []) ready.push(...r);
    w[L.sSegStart] = segs.length / 4;
    w[L.sSegCount] = s.wire?.length ?? 0;
    for (const g of s.wire ?? []) segs.push(...g);
    w[L.sSegDropped] = s.dropped ?? 0;
    stepWords.push(...w);
  }
  const text = (opts.kernel ?? '6.18.0-test') + (opts.reason ?? '') + (opts.error ?? '');
  const words = L.headerWords + stepWords.length + ready.length + segs.length;
  const total = words * 4 + bytes.length + text.length;
  const buf = new Uint8Array((total + 3) & ~3);
  const h = new Int32Array(buf.buffer, 0, words);
  h[L.hMagic] = L.magic;
  h[L.hVersion] = L.version;
  h[L.hTotalBytes] = total;
  h[L.hStepCount] = steps.length;
  h[L.hFlags] = opts.flags ?? L.flagCaptured;
  h[L.hFamily] = opts.family ?? 0;
  h[L.hErrorOp] = opts.errorOp ?? -1;
  h[L.hStepsOffset] = L.headerWords * 4;
  h[L.hReadyOffset] = h[L.hStepsOffset] + stepWords.length * 4;
  h[L.hReadyCount] = ready.length / 2;
  h[L.hSegOffset] = h[L.hReadyOffset] + ready.length * 4;
  h[L.hSegCount] = segs.length / 4;
  h[L.hBytesOffset] = h[L.hSegOffset] + segs.length * 4;
  h[L.hBytesLen] = bytes.length;
  h[L.hTextOffset] = h[L.hBytesOffset] + bytes.length;
  h[L.hTextLen] = text.length;
  h[L.hKernelOff] = 0;
  h[L.hKernelLen] = (opts.kernel ?? '6.18.0-test').length;
  h[L.hReasonOff] = h[L.hKernelLen];
  h[L.hReasonLen] = (opts.reason ?? '').length;
  h[L.hErrorOff] = h[L.hReasonOff] + h[L.hReasonLen];
  h[L.hErrorLen] = (opts.error ?? '').length;
  h.set(stepWords, L.headerWords);
  h.set(ready, L.headerWords + stepWords.length);
  h.set(segs, L.headerWords + stepWords.length + ready.length);
  buf.set(Buffer.from(bytes + text, 'latin1'), h[L.hBytesOffset]);
  return buf;
}

describe('ResultView', () => {
  it('reads steps, fds, bytes, ready lists and segments', () => {
    const raw = handMade([
      {
        ret: 0,
        fds: [5, 6],
        wire: [
          [0, 1, 0x02, 0],
          [1, 0, 0x12, 0],
        ],
      },
      {
        ret: 2,
        ready: [
          [0, 4],
          [1, 0x2005],
        ],
      },
      { ret: 1, bytes: 'a', wire: [[1, 0, 0x18, 1]], dropped: 3 },
      { ret: -1, errno: 9, ready: [] },
      { ret: 0, fds: [-1] },
    ]);
    const r = decode(raw);
    expect(r.kernel).toBe('6.18.0-test');
    expect(r.family).toBe('tcp');
    expect(r.netns).toBe(false);
    expect(r.wire).toEqual({ captured: true });
    expect(r.error).toBeUndefined();
    expect(r.steps).toHaveLength(5);
    expect(r.steps[0]).toMatchObject({
      ret: 0,
      errno: 0,
      fds: [5, 6],
      wire: [
        { src: 0, dst: 1, flags: 2, len: 0 },
        { src: 1, dst: 0, flags: 0x12, len: 0 },
      ],
    });
    expect(r.steps[0].bytes).toBeUndefined();
    expect(r.steps[0].ready).toBeUndefined();
    expect(r.steps[1].ready).toEqual([
      { slot: 0, events: 4 },
      { slot: 1, events: 0x2005 },
    ]);
    expect(Buffer.from(r.steps[2].bytes!).toString()).toBe('a');
    expect(r.steps[2].wire).toEqual([{ src: 1, dst: 0, flags: 0x18, len: 1 }]);
    expect(r.steps[2].wireDropped).toBe(3);
    expect(r.steps[3]).toMatchObject({ ret: -1, errno: 9, ready: [], fds: [] });
    expect(r.steps[4].fds).toEqual([-1]);
  });

  it('reads the run header: family, netns, capture reason, error', () => {
    const reason = 'no CAP_NET_RAW: opening a packet socket was refused';
    const r = decode(handMade([], { flags: L.flagNetns, family: 2, reason, error: 'malformed program: op 0: unknown opcode 99', errorOp: 0 }));
    expect(r.family).toBe('unix');
    expect(r.netns).toBe(true);
    expect(r.wire).toEqual({ captured: false, reason });
    expect(r.error).toBe('malformed program: op 0: unknown opcode 99');
    expect(r.steps).toEqual([]);
  });

  it('reads fields in place; objects and copies own their bytes', () => {
    const raw = handMade([{ ret: 2, bytes: 'hi', ready: [[1, 5]], wire: [[0, 1, 0x18, 2]] }]);
    const v = ResultView.of(raw);
    expect([v.stepCount, v.ret(0), v.bytesLength(0), v.byteAt(0, 1), v.readyCount(0), v.readySlot(0, 0), v.readyEvents(0, 0)]).toEqual([
      1, 2, 2, 0x69, 1, 1, 5,
    ]);
    expect([v.segCount(0), v.seg(0, 0, 0), v.seg(0, 0, 1), v.seg(0, 0, 2), v.seg(0, 0, 3), v.segDropped(0)]).toEqual([1, 0, 1, 0x18, 2, 0]);
    expect(v.bytesOf(0)!.buffer).toBe(raw.buffer);
    const copy = v.copy();
    const decoded = v.toResult();
    raw.fill(0);
    expect(Buffer.from(decoded.steps[0].bytes!).toString()).toBe('hi');
    expect(Buffer.from(copy.bytesOf(0)!).toString()).toBe('hi');
  });

  it('reports bytes the run could not keep, and the op an error is about', () => {
    const raw = handMade([{ ret: 1 }], { error: 'malformed program: op 1: unknown opcode 99', errorOp: 1 });
    new Int32Array(raw.buffer)[L.hBytesDropped] = 4096;
    const v = ResultView.of(raw);
    expect([v.bytesDropped, v.errorOp, v.error]).toEqual([4096, 1, 'malformed program: op 1: unknown opcode 99']);
    expect(v.toResult().bytesDropped).toBe(4096);
  });

  it('reads a buffer at an unaligned offset (it is copied once)', () => {
    const one = handMade([{ ret: 7 }]);
    const packed = new Uint8Array(one.length + 1);
    packed.set(one, 1);
    expect(decode(packed.subarray(1)).steps[0].ret).toBe(7);
  });

  it('walks a batch reply: results back to back, each 4-byte aligned, and nothing after the last', () => {
    const a = handMade([{ ret: 1, bytes: 'abc' }]);
    const b = handMade([{ ret: 2 }, { ret: 3 }]);
    const reply = new Uint8Array(a.length + b.length);
    reply.set(a);
    reply.set(b, a.length);
    const [va, vb] = readBatch(reply, 2);
    expect([va.ret(0), vb.stepCount, vb.ret(1)]).toEqual([1, 2, 3]);
    expect(() => readBatch(reply, 1)).toThrow(/bytes after the last of 1 results/);
    expect(() => readBatch(reply, 3)).toThrow(/shorter than the header/);
  });

  it('refuses what is not a results buffer', () => {
    const good = handMade([{ ret: 1, bytes: 'x', ready: [[0, 1]], wire: [[0, 1, 2, 0]] }]);
    const broken = (edit: (h: Int32Array) => void): Uint8Array => {
      const b = good.slice();
      edit(new Int32Array(b.buffer));
      return b;
    };
    expect(() => decode(new Uint8Array(10))).toThrow(/shorter than the header/);
    expect(() => decode(broken((h) => (h[L.hMagic] = 0)))).toThrow(/magic/);
    expect(() => decode(broken((h) => (h[L.hVersion] = 99)))).toThrow(/version 99/);
    expect(() => decode(good.subarray(0, good.length - 8))).toThrow(/total/);
    expect(() => decode(broken((h) => (h[L.hStepCount] = 1000)))).toThrow(/sections do not add up/);
    expect(() => decode(broken((h) => (h[L.hFamily] = 7)))).toThrow(/family code 7/);
    expect(() => decode(broken((h) => (h[L.headerWords + L.sReadyCount] = 5)))).toThrow(/ready list outside/);
    expect(() => decode(broken((h) => (h[L.headerWords + L.sSegCount] = 2)))).toThrow(/segments outside/);
    expect(() => decode(broken((h) => (h[L.headerWords + L.sBytesLen] = 100)))).toThrow(/bytes outside/);
    expect(() => decode(broken((h) => (h[L.headerWords + L.sFdCount] = 3)))).toThrow(/3 fds/);
    expect(() => decode(broken((h) => (h[L.hKernelLen] = 1000)))).toThrow(/text outside/);
  });
});
