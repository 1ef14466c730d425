import { EPOLL_FLAGS, Op } from '@epl/program';
import { generateMany } from '../src/generate';
import { decode, encode, isValid, seqLength, specOf } from '../src/seq';
import type { Seq, SeqOp } from '../src/seq';
import { canonicalNames, shrink, simpler } from '../src/shrink';

/** The planted divergence: `shutdown N WR` and, later, a write to the same name N. */
function divergence(s: Seq): number {
  const ops = decode(s);
  for (let i = 0; i < ops.length; i++) {
    if (ops[i].code !== Op.shutdown || ops[i].operands[1] !== 1) continue;
    for (let j = i + 1; j < ops.length; j++)
      if ((ops[j].code === Op.write || ops[j].code === Op.write_n) && ops[j].operands[0] === ops[i].operands[0]) return j;
  }
  return -1;
}

/**
 * The fewest ops that can give name `n` a number before op `before`: its binding op plus,
 * recursively, whatever that op uses (accept needs its listener, dup its source, …).
 */
function bindCost(ops: readonly SeqOp[], n: string, before: number): number {
  let best = Infinity;
  for (let k = 0; k < before; k++) {
    const spec = specOf(ops[k].code);
    const binds = spec.operands.some((kind, j) => (kind === 'bind' || kind === 'rebind') && ops[k].operands[j] === n);
    if (!binds) continue;
    let cost = 1;
    spec.operands.forEach((kind, j) => {
      if (kind === 'use' || kind === 'rebind') cost += bindCost(ops, ops[k].operands[j] as string, k);
    });
    best = Math.min(best, cost);
  }
  return best;
}

/** Length of the smallest sequence showing the planted divergence: N's binding, the shutdown, the write. */
function minimal(s: Seq): number {
  const ops = decode(s);
  const j = divergence(s);
  const n = ops[j].operands[0] as string;
  const i = ops.findIndex((o, k) => k < j && o.code === Op.shutdown && o.operands[0] === n && o.operands[1] === 1);
  return bindCost(ops, n, i) + 2;
}

const planted = generateMany('shrink', 4000).filter((s) => divergence(s) >= 0 && divergence(s) < seqLength(s) - 3);

describe('shrink', () => {
  it('has planted cases to work on', () => {
    expect(planted.length).toBeGreaterThan(10);
  });

  it('reduces a planted divergence to its minimal length (bind, shutdown, write) in few tests', async () => {
    const expected: number[] = [];
    for (const s of planted.slice(0, 10)) {
      expected.push(minimal(s));
      const asked: Seq[] = [];
      const r = await shrink(s, {
        test: async (cands) => cands.map((c) => (asked.push(c), divergence(c) >= 0)),
        focus: divergence(s),
      });
      expect(r.from).toBe(seqLength(s));
      expect(r.to).toBe(minimal(s));
      expect(seqLength(r.seq)).toBe(r.to);
      expect(divergence(r.seq)).toBe(r.to - 1);
      expect(isValid(decode(r.seq))).toBe(true);
      // Every candidate it asked about followed the naming rules too.
      for (const c of asked) expect(isValid(decode(c))).toBe(true);
      expect(r.tests).toBeLessThan(200);
      // Canonical names: the first name is 3.
      expect(r.seq.names[0]).toBe('3');
    }
    // Most planted cases bind the name directly (pair, pipe, …): three steps.
    expect(expected.filter((n) => n === 3).length).toBeGreaterThan(3);
  });

  it('simplifies operands while the finding holds', async () => {
    const b = (x: string) => Uint8Array.from(Buffer.from(x, 'latin1'));
    const { IN, OUT, ET, ONESHOT } = EPOLL_FLAGS;
    const s = encode([
      { code: Op.epoll, operands: ['9'] },
      { code: Op.pair, operands: ['5', '6'] },
      { code: Op.add, operands: ['9', '5', IN | OUT | ET | ONESHOT | 0, '6'] },
      { code: Op.write, operands: ['6', b('hello\n')] },
      { code: Op.wait, operands: ['9', 2, 0] },
    ]);
    // Planted: the finding needs the add to watch IN, and the wait.
    const holds = (c: Seq) => decode(c).some((o) => o.code === Op.add && (o.operands[2] as number) & IN) && decode(c).some((o) => o.code === Op.wait);
    const r = await shrink(s, { test: async (cands) => cands.map(holds), focus: 4 });
    const ops = decode(r.seq);
    const add = ops.find((o) => o.code === Op.add)!;
    expect(add.operands[2]).toBe(IN);
    expect(add.operands[3]).toBe(add.operands[1]);
    expect(ops.find((o) => o.code === Op.wait)!.operands[1]).toBe(64);
    expect(ops.some((o) => o.code === Op.write)).toBe(false);
    expect(ops).toHaveLength(4);
  });

  it('keeps everything when nothing smaller shows the finding', async () => {
    const s = planted[0];
    const r = await shrink(s, { test: async (cands) => cands.map(() => false), focus: divergence(s) });
    expect(Array.from(r.seq.code)).toEqual(Array.from(s.code));
    expect(r.to).toBe(r.from);
  });

  it('stops at its budget', async () => {
    const r = await shrink(planted[1], { test: async (cands) => cands.map(() => false), budget: 5 });
    expect(r.tests).toBeLessThanOrEqual(5);
  });
});

describe('simpler / canonicalNames', () => {
  it('offers simpler operands, most drastic first', () => {
    const o: SeqOp = { code: Op.read, operands: ['5', 1024] };
    expect(simpler(o)).toEqual([{ code: Op.read, operands: ['5', 1] }]);
    expect(simpler({ code: Op.close, operands: ['5'] })).toEqual([]);
  });
  it('renames from 3 by first appearance, leaving numbers and strings alone', () => {
    const r = canonicalNames([
      { code: Op.pair, operands: ['x', '12'] },
      { code: Op.read, operands: ['12', 7] },
    ]);
    expect(r).toEqual([
      { code: Op.pair, operands: ['3', '4'] },
      { code: Op.read, operands: ['4', 7] },
    ]);
  });
});
