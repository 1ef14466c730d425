import { EPOLL_FLAGS, LIMITS, OP_WORDS, OPS, Op } from '@epl/program';
import { Generator, generateMany } from '../src/generate';
import { Rng } from '../src/prng';
import { decode, isValid, seqLength } from '../src/seq';
import type { Seq } from '../src/seq';

const many = generateMany('coverage', 3000);

function ops(s: Seq): { code: number; w: number[] }[] {
  const out = [];
  for (let i = 0; i < seqLength(s); i++) out.push({ code: s.code[i * OP_WORDS], w: Array.from(s.code.subarray(i * OP_WORDS + 1, (i + 1) * OP_WORDS)) });
  return out;
}

describe('Generator', () => {
  it('is reproducible: the same seed gives the same sequences, another seed others', () => {
    const a = generateMany(99, 50);
    const b = generateMany('99', 50);
    const c = generateMany(100, 50);
    expect(a.map((s) => Array.from(s.code))).toEqual(b.map((s) => Array.from(s.code)));
    expect(a.map((s) => Array.from(s.strings))).toEqual(b.map((s) => Array.from(s.strings)));
    expect(a.map((s) => s.names)).toEqual(b.map((s) => s.names));
    expect(c.map((s) => Array.from(s.code))).not.toEqual(a.map((s) => Array.from(s.code)));
  });

  it('makes sequences of the asked length that follow the naming rules', () => {
    const g = new Generator(new Rng(5), { length: 12 });
    for (let i = 0; i < 200; i++) {
      const s = g.generate();
      expect(seqLength(s)).toBe(12);
      expect(isValid(decode(s))).toBe(true);
    }
    // Collected, then asserted once: an expect per op of 3000 sequences is slow.
    const bad: string[] = [];
    many.forEach((s, i) => {
      if (seqLength(s) !== 30) bad.push(`#${i} has ${seqLength(s)} ops`);
      if (!isValid(decode(s))) bad.push(`#${i} breaks a naming rule`);
      if (s.slotCount > LIMITS.maxSlots) bad.push(`#${i} has ${s.slotCount} names`);
      // Word 1 is a slot for every op but sleep.
      for (let w = 0; w < s.code.length; w += OP_WORDS)
        if (s.code[w] !== Op.sleep && s.code[w + 1] >= s.slotCount) bad.push(`#${i} op ${w / OP_WORDS} slot out of range`);
    });
    expect(bad).toEqual([]);
  });

  it('covers every op of the table', () => {
    const seen = new Set<number>();
    for (const s of many) for (const o of ops(s)) seen.add(o.code);
    expect(OPS.filter((o) => !seen.has(o.code)).map((o) => o.name)).toEqual([]);
  });

  it('uses every epoll flag, nested epolls, stale names and dup2 onto closed names', () => {
    let flags = 0;
    let nested = 0;
    let stale = 0;
    let dup2Closed = 0;
    let waitsAfterChange = 0;
    for (const s of many) {
      const epolls = new Set<number>();
      const closed = new Set<number>();
      let prev = 0;
      for (const o of ops(s)) {
        if (o.code === Op.epoll) epolls.add(o.w[0]);
        if (o.code === Op.add || o.code === Op.mod) flags |= o.w[2];
        if (o.code === Op.add && epolls.has(o.w[0]) && epolls.has(o.w[1]) && o.w[0] !== o.w[1]) nested++;
        if (o.code !== Op.close && [Op.read, Op.write, Op.write_n, Op.shutdown, Op.add, Op.del, Op.wait].includes(o.code) && closed.has(o.w[0])) stale++;
        if (o.code === Op.dup2 && closed.has(o.w[1])) dup2Closed++;
        if (o.code === Op.wait && [Op.write, Op.read, Op.shutdown, Op.close, Op.write_n].includes(prev)) waitsAfterChange++;
        if (o.code === Op.close) closed.add(o.w[0]);
        if (o.code === Op.dup2) closed.delete(o.w[1]);
        prev = o.code;
      }
    }
    for (const name of ['IN', 'OUT', 'PRI', 'ERR', 'HUP', 'RDHUP', 'ET', 'ONESHOT', 'EXCLUSIVE', 'WAKEUP'] as const) {
      expect([name, (flags & EPOLL_FLAGS[name]) !== 0]).toEqual([name, true]);
    }
    expect(nested).toBeGreaterThan(50);
    expect(stale).toBeGreaterThan(50);
    expect(dup2Closed).toBeGreaterThan(10);
    expect(waitsAfterChange).toBeGreaterThan(1000);
  });

  it('keeps sleeps, timeouts and linger at 0', () => {
    const nonzero = new Set<string>();
    for (const s of many) {
      for (const o of ops(s)) {
        if (o.code === Op.sleep && o.w[0] !== 0) nonzero.add('sleep');
        if (o.code === Op.wait && o.w[2] !== 0) nonzero.add('wait timeout');
        if (o.code === Op.linger && o.w[1] !== 0) nonzero.add('linger');
      }
    }
    expect([...nonzero]).toEqual([]);
  });

  it('weights toward ops that change readiness', () => {
    const counts = new Map<number, number>();
    for (const s of many) for (const o of ops(s)) counts.set(o.code, (counts.get(o.code) ?? 0) + 1);
    const n = (c: number) => counts.get(c) ?? 0;
    const changing = n(Op.write) + n(Op.write_n) + n(Op.read) + n(Op.shutdown) + n(Op.close) + n(Op.fill) + n(Op.drain) + n(Op.send_oob);
    expect(changing).toBeGreaterThan(n(Op.dup) + n(Op.dup2) + n(Op.del) + n(Op.sleep) + n(Op.linger) + n(Op.socket) + n(Op.listen));
    expect(n(Op.pair)).toBeGreaterThan(n(Op.tcp) + n(Op.tcp6) + n(Op.unix));
  });
});
