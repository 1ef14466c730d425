// Minimizes a sequence that shows a finding. Phases, each keeping a candidate only when the
// caller's test (which re-runs it several times, so flakes are not chased) still shows the
// finding: cut after the step it is about; keep only the steps linked to that step by names;
// remove chunks then single steps (ddmin); simplify operands; name the rest canonically.
// Candidates are tested in batches but accepted in a fixed order, so the result depends only
// on the answers, never on timing.
import { EPOLL_FLAGS, Op } from '@epl/program';
import type { Seq, SeqOp } from './seq';
import { decode, encode, repair, specOf } from './seq';

export interface ShrinkOptions {
  /** True for each candidate that still shows the finding (answers in candidate order). */
  readonly test: (candidates: readonly Seq[]) => Promise<boolean[]>;
  /** The step the finding is about (0-based): steps after it are cut first. */
  readonly focus?: number;
  /** Most candidates to test (default 600). */
  readonly budget?: number;
  /** Candidates per call to `test` (default 8). */
  readonly batch?: number;
}

export interface ShrinkResult {
  readonly seq: Seq;
  /** Candidates tested. */
  readonly tests: number;
  /** Length before and after. */
  readonly from: number;
  readonly to: number;
}

function same(a: readonly SeqOp[], b: readonly SeqOp[]): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) {
    if (a[i].code !== b[i].code) return false;
    const x = a[i].operands;
    const y = b[i].operands;
    for (let j = 0; j < x.length; j++) {
      const u = x[j];
      const v = y[j];
      if (u instanceof Uint8Array && v instanceof Uint8Array) {
        if (Buffer.compare(u, v) !== 0) return false;
      } else if (u !== v) return false;
    }
  }
  return true;
}

export async function shrink(seq: Seq, opts: ShrinkOptions): Promise<ShrinkResult> {
  const budget = opts.budget ?? 600;
  const batch = Math.max(1, opts.batch ?? 8);
  let ops = decode(seq);
  const from = ops.length;
  let tests = 0;

  /** Index of the first candidate that still shows the finding, or -1. */
  const first = async (cands: SeqOp[][]): Promise<number> => {
    const seen: SeqOp[][] = [];
    const todo: { i: number; ops: SeqOp[] }[] = [];
    cands.forEach((c, i) => {
      const r = repair(c);
      if (!r.length || same(r, ops) || seen.some((s) => same(s, r))) return;
      seen.push(r);
      todo.push({ i, ops: r });
    });
    for (let k = 0; k < todo.length && tests < budget; k += batch) {
      const chunk = todo.slice(k, Math.min(k + batch, k + budget - tests));
      tests += chunk.length;
      const ok = await opts.test(chunk.map((c) => encode(c.ops)));
      const hit = ok.findIndex(Boolean);
      if (hit >= 0) {
        cands[chunk[hit].i] = chunk[hit].ops;
        return chunk[hit].i;
      }
    }
    return -1;
  };
  const accept = async (cands: SeqOp[][]): Promise<boolean> => {
    const i = await first(cands);
    if (i < 0) return false;
    ops = cands[i];
    return true;
  };

  // 1. Nothing after the step the finding is about can matter.
  let focus = opts.focus ?? -1;
  if (focus >= 0 && focus < ops.length - 1 && (await accept([ops.slice(0, focus + 1)]))) focus = ops.length - 1;
  else if (focus >= ops.length) focus = -1;

  // 2. Keep the steps linked to the focus step through names, walking backwards.
  if (focus >= 0) {
    const names = new Set<string>();
    for (const v of ops[focus].operands) if (typeof v === 'string') names.add(v);
    const keep = new Array<boolean>(ops.length).fill(false);
    keep[focus] = true;
    for (let i = focus - 1; i >= 0; i--) {
      const mine = ops[i].operands.filter((v): v is string => typeof v === 'string');
      if (mine.some((n) => names.has(n))) {
        keep[i] = true;
        for (const n of mine) names.add(n);
      }
    }
    const sliced = ops.filter((_, i) => keep[i] || i > focus);
    if (sliced.length < ops.length) await accept([sliced]);
  }

  // 3. ddmin: remove chunks, halving their size down to single steps.
  let n = 2;
  while (ops.length >= 2 && tests < budget) {
    const size = Math.ceil(ops.length / n);
    const cands: SeqOp[][] = [];
    for (let start = 0; start < ops.length; start += size) cands.push([...ops.slice(0, start), ...ops.slice(start + size)]);
    if (await accept(cands)) {
      n = Math.max(n - 1, 2);
      continue;
    }
    if (size === 1) break;
    n = Math.min(ops.length, n * 2);
  }

  // 4. Simplify operands, one op at a time, first simpler variant that still shows it.
  for (let i = 0; i < ops.length && tests < budget; i++) {
    let progress = true;
    while (progress && tests < budget) {
      const variants = simpler(ops[i]).map((v) => [...ops.slice(0, i), v, ...ops.slice(i + 1)]);
      progress = variants.length > 0 && (await accept(variants));
    }
  }

  // 5. Canonical names (3, 4, 5 … by first appearance): only cosmetics, but checked all the same.
  const renamed = canonicalNames(ops);
  if (!same(renamed, ops) && tests < budget) await accept([renamed]);

  const out = encode(ops);
  return { seq: out, tests, from, to: ops.length };
}

const ENC = (s: string): Uint8Array => Uint8Array.from(Buffer.from(s, 'latin1'));
const MODIFIERS = [EPOLL_FLAGS.ET, EPOLL_FLAGS.ONESHOT, EPOLL_FLAGS.EXCLUSIVE, EPOLL_FLAGS.WAKEUP].map((f) => f | 0);

/** Simpler versions of an op's operands, most drastic first. */
export function simpler(o: SeqOp): SeqOp[] {
  const out: SeqOp[] = [];
  const withOperand = (j: number, v: string | number | Uint8Array): void => {
    const operands = [...o.operands];
    operands[j] = v;
    out.push({ code: o.code, operands });
  };
  switch (o.code) {
    case Op.add:
    case Op.mod: {
      const flags = o.operands[2] as number;
      if (o.operands[3] !== o.operands[1]) withOperand(3, o.operands[1]);
      for (const m of MODIFIERS) if (flags & m) withOperand(2, flags & ~m);
      for (let b = 0; b < 31; b++) {
        const bitv = 1 << b;
        if (flags & bitv && !MODIFIERS.includes(bitv)) withOperand(2, flags & ~bitv);
      }
      break;
    }
    case Op.write:
    case Op.send_oob: {
      const s = o.operands[1] as Uint8Array;
      if (s.length > 1) withOperand(1, ENC(o.code === Op.write ? 'a' : 'x'));
      break;
    }
    case Op.write_n:
      if ((o.operands[1] as number) > 1) withOperand(1, 1);
      break;
    case Op.read:
      if ((o.operands[1] as number) > 1) withOperand(1, 1);
      break;
    case Op.wait:
      if (o.operands[1] !== 64) withOperand(1, 64);
      break;
    case Op.eventfd:
      if (o.operands[1] !== 0) withOperand(1, 0);
      break;
  }
  return out;
}

/** The same ops with names renumbered from 3 in order of first appearance. */
export function canonicalNames(ops: readonly SeqOp[]): SeqOp[] {
  const map = new Map<string, string>();
  const rename = (n: string): string => {
    let m = map.get(n);
    if (m === undefined) {
      m = String(map.size + 3);
      map.set(n, m);
    }
    return m;
  };
  return ops.map((o) => {
    const spec = specOf(o.code);
    return { code: o.code, operands: o.operands.map((v, j) => (spec.operands[j] === 'str' || typeof v !== 'string' ? v : rename(v))) };
  });
}
