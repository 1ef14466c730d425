// Mutation of corpus entries, as coverage-guided fuzzers do (here the coverage is behaviour
// signatures): insert fresh ops, remove some, splice two entries, duplicate a step, change
// flags. `repair` re-applies the naming rules, so every mutant still compiles.
import { EPOLL_FLAGS, Op } from '@epl/program';
import { Generator } from './generate';
import { Rng } from './prng';
import type { Seq, SeqOp } from './seq';
import { decode, encode, repair } from './seq';

export const MUTATIONS = ['insert', 'remove', 'splice', 'duplicate', 'flags'] as const;
export type Mutation = (typeof MUTATIONS)[number];

export interface MutateOptions {
  /** Longest mutant (default 2 x the generator's length). */
  readonly maxLength: number;
}

const FLIP = [EPOLL_FLAGS.IN, EPOLL_FLAGS.OUT, EPOLL_FLAGS.PRI, EPOLL_FLAGS.RDHUP, EPOLL_FLAGS.ET, EPOLL_FLAGS.ONESHOT, EPOLL_FLAGS.EXCLUSIVE].map(
  (f) => f | 0,
);

export class Mutator {
  constructor(
    private readonly rng: Rng,
    /** Source of fresh ops to insert (its own stream, so mutation does not shift generation). */
    private readonly gen: Generator,
    private readonly opts: MutateOptions,
  ) {}

  /** A mutant of `base`; `other` is a second corpus entry for splicing. Never empty. */
  mutate(base: Seq, other: Seq | undefined): { seq: Seq; how: Mutation[] } {
    const r = this.rng;
    let ops = decode(base);
    const how: Mutation[] = [];
    const rounds = 1 + (r.chance(0.3) ? r.int(3) : 0);
    for (let k = 0; k < rounds; k++) {
      const m: Mutation = other ? MUTATIONS[r.weighted([4, 3, 2, 1.5, 2])] : MUTATIONS[r.weighted([4, 3, 0, 1.5, 2])];
      how.push(m);
      ops = this.apply(m, ops, other);
    }
    let out = repair(ops);
    if (out.length > this.opts.maxLength) out = repair(out.slice(0, this.opts.maxLength));
    if (!out.length) out = decode(base);
    return { seq: encode(out), how };
  }

  private apply(m: Mutation, ops: SeqOp[], other: Seq | undefined): SeqOp[] {
    const r = this.rng;
    switch (m) {
      case 'insert': {
        // A short window of a fresh sequence: its names (3, 4, …) meet the entry's own names.
        const fresh = decode(this.gen.generate());
        const len = 1 + r.int(Math.min(4, fresh.length));
        const from = r.int(fresh.length - len + 1);
        const at = r.int(ops.length + 1);
        return [...ops.slice(0, at), ...fresh.slice(from, from + len), ...ops.slice(at)];
      }
      case 'remove': {
        if (ops.length <= 1) return ops;
        const len = 1 + r.int(Math.min(3, ops.length - 1));
        const at = r.int(ops.length - len + 1);
        return [...ops.slice(0, at), ...ops.slice(at + len)];
      }
      case 'splice': {
        const b = decode(other!);
        const cutA = r.int(ops.length + 1);
        const cutB = r.int(b.length + 1);
        return [...ops.slice(0, cutA), ...b.slice(cutB)];
      }
      case 'duplicate': {
        if (!ops.length) return ops;
        const i = r.int(ops.length);
        const at = i + 1 + r.int(ops.length - i);
        return [...ops.slice(0, at), ops[i], ...ops.slice(at)];
      }
      case 'flags': {
        const idx = ops.map((o, i) => (o.code === Op.add || o.code === Op.mod ? i : -1)).filter((i) => i >= 0);
        if (!idx.length) return ops;
        const i = r.pick(idx);
        const operands = [...ops[i].operands];
        operands[2] = ((operands[2] as number) ^ r.pick(FLIP)) | 0;
        const out = [...ops];
        out[i] = { code: ops[i].code, operands };
        return out;
      }
    }
  }
}
