import { compile } from '@epl/compiler';
import type { RunResult, StepResult } from '@epl/program';
import { Lane } from '@epl/pool';
import { compare, firstDisagreement, isBulk, predict } from '../src';

const ok = (over: Partial<StepResult> = {}): StepResult => ({ ret: 0, errno: 0, fds: [], wire: [], ...over });
const run = (steps: StepResult[], captured = true): RunResult => ({ steps, kernel: 'test', family: 'tcp', netns: true, wire: { captured } });

describe('compare', () => {
  test('a count the model gives as a range agrees when the kernel is in it', () => {
    const [p] = compile('tcp 5 6\nfill 5', 'x.epl');
    const pred = predict(p);
    const kernelSegs = [ok({ wire: pred.steps[0].wire as never }), ok({ ret: 3919467 })];
    expect(compare(p, run(kernelSegs, false), pred).steps[1].agree.result).toBe(true);
    expect(compare(p, run([ok(), ok({ ret: 10 })], false), pred).steps[1].agree.result).toBe(false);
    expect(compare(p, run([ok(), ok({ ret: 3919467 })], false), pred).steps[1].ranged).toBe(true);
  });

  test('ready lists compare as sets of (data, events)', () => {
    const [p] = compile('pipe r w\npipe a b\nepoll e\nadd e w OUT\nadd e b OUT\nwait e', 'x.epl');
    const pred = predict(p);
    const w = p.names.indexOf('w');
    const b = p.names.indexOf('b');
    const steps = [ok(), ok(), ok(), ok(), ok()];
    const swapped = compare(
      p,
      run([
        ...steps,
        ok({
          ret: 2,
          ready: [
            { slot: b, events: 4 },
            { slot: w, events: 4 },
          ],
        }),
      ]),
      pred,
    );
    expect(swapped.steps[5].agree).toEqual({ result: true, ready: true, wire: true });
    const missing = compare(p, run([...steps, ok({ ret: 1, ready: [{ slot: w, events: 4 }] })]), pred);
    expect(missing.steps[5].agree.ready).toBe(false);
    expect(missing.steps[5].differences[0]).toMatch(/^result: kernel 1, model 2/);
  });

  test('a delayed ACK may land in its step or a later one: counted, never a disagreement', () => {
    const [p] = compile('tcp 5 6\nshutdown 5 WR\nwrite 6 "a"', 'x.epl');
    const pred = predict(p);
    const s5 = p.names.indexOf('5');
    const s6 = p.names.indexOf('6');
    const hs = pred.steps[0].wire as never;
    const fin = { src: s5, dst: s6, flags: 0x11, len: 0 };
    const data = { src: s6, dst: s5, flags: 0x18, len: 1 };
    const ack = { src: s6, dst: s5, flags: 0x10, len: 0 };
    const ackBack = { src: s5, dst: s6, flags: 0x10, len: 0 };
    const early = compare(p, run([ok({ wire: hs }), ok({ wire: [fin, ack] }), ok({ ret: 1, wire: [data, ackBack] })]), pred);
    expect(early.steps.map((s) => s.agree.wire)).toEqual([true, true, true]);
    expect(early.steps[1].timing).toBe(1);
    const never = compare(p, run([ok({ wire: hs }), ok({ wire: [fin] }), ok({ ret: 1, wire: [data, ackBack] })]), pred);
    expect(never.steps.map((s) => s.agree.wire)).toEqual([true, true, true]);
    const stray = compare(p, run([ok({ wire: hs }), ok({ wire: [fin, fin] }), ok({ ret: 1, wire: [data, ackBack] })]), pred);
    expect(stray.steps[1].agree.wire).toBe(false);
  });

  test('a bulk transfer leaves the segments after it to what the model says follows', () => {
    const [p] = compile('pair 3 4\nfill 3\nclose 3\nshutdown 4 WR\ndrain 4', 'x.epl');
    const pred = predict(p);
    const s3 = p.names.indexOf('3');
    const s4 = p.names.indexOf('4');
    expect(pred.steps[4].wire.map((w) => (isBulk(w) ? 'bulk' : `${w.flags}`))).toEqual(['bulk', '16']);
    const data = { src: s3, dst: s4, flags: 0x10, len: 47616 };
    const fin = { src: s3, dst: s4, flags: 0x19, len: 29749 };
    const ack = { src: s4, dst: s3, flags: 0x10, len: 0 };
    const steps = pred.steps.slice(0, 4).map((st) => ok({ wire: st.wire.filter((w) => !isBulk(w) && w.timing === 'now') as never }));
    const drained = compare(p, run([...steps, ok({ wire: [ack, data, fin, ack] })], true), pred);
    expect(drained.steps[4].agree.wire).toBe(true);
    const noAck = compare(p, run([...steps, ok({ wire: [ack, data, fin] })], true), pred);
    expect(noAck.steps[4].agree.wire).toBe(false);
  });

  test('without a capture the wire is not judged', () => {
    const [p] = compile('tcp 5 6', 'x.epl');
    expect(compare(p, run([ok()], false), predict(p)).steps[0].agree.wire).toBeNull();
  });

  test('firstDisagreement finds the first step compare() finds, on each kind of disagreement', () => {
    const [p] = compile('tcp 5 6\npipe r w\nepoll e\nadd e r IN\nadd e 6 IN\nwrite w "ab"\nwait e\nwrite 5 "a"\nwait e', 'x.epl');
    const pred = predict(p);
    const hs = pred.steps[0].wire.map((w) => ({ src: w.src, dst: w.dst, flags: isBulk(w) ? 0 : w.flags, len: 0 }));
    const r = p.names.indexOf('r');
    const six = p.names.indexOf('6');
    const data = { src: p.names.indexOf('5'), dst: six, flags: 0x18, len: 1 };
    const ack = { src: six, dst: data.src, flags: 0x10, len: 0 };
    const good = [
      ok({ wire: hs }),
      ok(),
      ok(),
      ok(),
      ok(),
      ok({ ret: 2 }),
      ok({ ret: 1, ready: [{ slot: r, events: 1 }] }),
      ok({ ret: 1, wire: [data, ack] }),
      ok({
        ret: 2,
        ready: [
          { slot: six, events: 1 },
          { slot: r, events: 1 },
        ],
      }),
    ];
    const variants: StepResult[][] = [
      good,
      good.map((x, i) => (i === 5 ? ok({ ret: 1 }) : x)), // result
      good.map((x, i) => (i === 6 ? ok({ ret: 1, ready: [{ slot: r, events: 5 }] }) : x)), // ready
      good.map((x, i) => (i === 7 ? ok({ ret: 1, wire: [data] }) : x)), // wire: the ACK is certain here
      good.map((x, i) =>
        i === 8
          ? ok({
              ret: 2,
              ready: [
                { slot: r, events: 1 },
                { slot: six, events: 1 },
              ],
            })
          : x,
      ), // the same set, in another order
    ];
    for (const steps of variants) {
      const c = compare(p, run(steps), pred);
      const want = c.steps.findIndex((x) => !x.agree.result || x.agree.ready === false || x.agree.wire === false);
      const got = firstDisagreement(p, run(steps), pred);
      expect(got?.step ?? -1).toBe(want);
      if (got) expect(got.comparison).toEqual(c.steps[want]);
    }
    expect(variants.map((v) => firstDisagreement(p, run(v), pred)?.step ?? -1)).toEqual([-1, 5, 6, 7, -1]);
  });

  test('a wait lists the registrations it did not report, and why', () => {
    const [p] = compile('pipe r w\nepoll e\nadd e r IN\nadd e w OUT|ONESHOT\nwait e\nwait e', 'x.epl');
    const pred = predict(p);
    const c = compare(p, run([ok(), ok(), ok(), ok(), ok({ ret: 1, ready: [{ slot: 1, events: 4 }] }), ok({ ready: [] })]), pred);
    expect(c.steps[5].silent.map((r) => r.rule)).toEqual(['epoll.nothing', 'epoll.oneshot-disarmed']);
  });

  test("a wait after delayed ACKs landed (their timer fired mid-run) agrees with the model's answer for that case, counted apart", async () => {
    // 5's ACK of the FIN waits for its timer (~40 ms); during sleep 100 it lands, moves 4 to FIN_WAIT2 and wakes its ET registration.
    const [p] = compile('epoll 3\npair 4 5\nadd 3 4 OUT|ET\nwait 3\nshutdown 4 WR\nwait 3\nwait 3\nsleep 100\nwait 3', 'x.epl');
    const pred = predict(p);
    expect(pred.steps[8].ready).toEqual([]);
    expect(pred.steps[8].ifAcksLand?.ready).toEqual([{ data: p.names.indexOf('4'), events: 4 }]);
    expect(pred.steps[8].why.map((r) => r.rule)).toContain('wait.if-acks-land');
    const lane = new Lane();
    try {
      let result: RunResult | undefined;
      for await (const r of lane.run([{ program: p, family: 'tcp' }])) result = r.view?.toResult();
      const c = compare(p, result!, pred);
      expect(c.agreeing).toBe(9);
      expect(c.steps[8].acksLanded).toBe(true);
      expect(c.steps.filter((x) => x.acksLanded)).toHaveLength(1);
    } finally {
      await lane.close();
    }
  });

  test('a planted disagreement (level-triggered entries not put back) is caught against the kernel', async () => {
    const [p] = compile('pipe r w\nepoll e\nadd e w OUT\nwait e\nwait e', 'x.epl');
    const lane = new Lane();
    try {
      let result: RunResult | undefined;
      for await (const r of lane.run([{ program: p, family: 'tcp' }])) result = r.view?.toResult();
      expect(compare(p, result!, predict(p)).agreeing).toBe(5);
      const planted = compare(p, result!, predict(p, 'tcp', { flip: ['epoll.lt-requeue'] }));
      expect(planted.agreeing).toBe(4);
      expect(planted.steps[4].agree.ready).toBe(false);
      expect(planted.steps[4].differences).toEqual(['result: kernel 1, model 0', 'ready: kernel w: OUT, model none']);
      // The oracle's fast path finds the same step, with the same comparison.
      expect(firstDisagreement(p, result!, predict(p))).toBeUndefined();
      const first = firstDisagreement(p, result!, predict(p, 'tcp', { flip: ['epoll.lt-requeue'] }));
      expect(first?.step).toBe(4);
      expect(first?.comparison).toEqual(planted.steps[4]);
      expect(firstDisagreement(p, result!, predict(p, 'tcp', { flip: ['epoll.lt-requeue'] }), 4)).toBeUndefined();
    } finally {
      await lane.close();
    }
  });
});
