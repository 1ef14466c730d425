// Oracles judge the runs of one sequence. Each is a plain object behind one interface, so a
// reference model (predict every step, compare) can be added without touching the rest.
import { Family, RunResult } from '@epl/program';
import type { Seq } from './seq';
import { opNameAt, seqLength } from './seq';
import { Field, StepView, abstractField, clip, familyView, runViews, stepDiff, stepView } from './signature';

/** What an oracle reported about a sequence. */
export interface Finding {
  /** The oracle's name. */
  readonly oracle: string;
  /** What kind of thing: `error`, `leak`, `flaky`, `differs`, `behaviour`, … */
  readonly kind: string;
  /** Findings with the same key are the same thing seen again (dedup and shrinking both use it). */
  readonly key: string;
  /** The step it is about (0-based), or -1 for the run as a whole. */
  readonly step: number;
  /** Families needed to show it; the first is the one a saved finding replays on. */
  readonly families: readonly Family[];
  /** One line for people. */
  readonly message: string;
  /** `flaky`: the share of runs that did not agree with the most common outcome. */
  readonly rate?: number;
  /** False for catalogued behaviour (a documented difference, not a defect). */
  readonly bug: boolean;
}

/** The runs of one sequence, per family (run 0 of the first family is the primary run). */
export interface OracleContext {
  readonly seq: Seq;
  /** Generation index of the sequence in its campaign. */
  readonly index: number;
  readonly families: readonly Family[];
  runs(family: Family): readonly RunResult[];
  /** Comparable views of run k on a family (cached). */
  views(family: Family, k: number): readonly StepView[];
  /** The same with bulk counts abstracted: what two families are compared on (cached). */
  familyViews(family: Family, k: number): readonly StepView[];
  /** Descriptors the worker still held after the runs beyond its baseline, when the runner reports them. */
  readonly leakedFds?: number;
}

export interface Oracle {
  readonly name: string;
  check(ctx: OracleContext): Finding[];
}

/** The context over a map of runs, with views computed once. */
export class RunContext implements OracleContext {
  private readonly cache = new Map<string, StepView[]>();
  readonly families: readonly Family[];

  constructor(
    readonly seq: Seq,
    readonly index: number,
    private readonly byFamily: ReadonlyMap<Family, readonly RunResult[]>,
    readonly leakedFds?: number,
  ) {
    this.families = [...byFamily.keys()];
  }

  runs(family: Family): readonly RunResult[] {
    return this.byFamily.get(family) ?? [];
  }

  views(family: Family, k: number): readonly StepView[] {
    const id = `${family}/${k}`;
    let v = this.cache.get(id);
    if (!v) {
      const r = this.runs(family)[k];
      v = r ? runViews(this.seq, r) : [];
      this.cache.set(id, v);
    }
    return v;
  }

  familyViews(family: Family, k: number): readonly StepView[] {
    const id = `${family}/${k}/f`;
    let v = this.cache.get(id);
    if (!v) {
      const r = this.runs(family)[k];
      v = r ? r.steps.map((st) => familyView(this.seq, st)) : [];
      this.cache.set(id, v);
    }
    return v;
  }
}

/** Error texts with numbers masked, so one defect found twice dedups. */
function normalizeError(e: string): string {
  return e.replace(/\d+/g, '#').slice(0, 120);
}

/**
 * Robustness: the run finished without a runner or native error, a crash or a hang (the
 * campaign turns those into a run with `error`), ran every step, and left no descriptor open.
 */
export const robustness: Oracle = {
  name: 'robustness',
  check(ctx) {
    const out = new Map<string, Finding>();
    const n = seqLength(ctx.seq);
    for (const f of ctx.families) {
      for (const r of ctx.runs(f)) {
        let finding: Finding | undefined;
        if (r.error !== undefined) {
          // The pool's words for a worker that died or overran its budget.
          const kind = /worker died|crash/i.test(r.error) ? 'crash' : /time budget|timed? ?out|hang/i.test(r.error) ? 'hang' : 'error';
          finding = {
            oracle: 'robustness',
            kind,
            key: `${kind}: ${normalizeError(r.error)}`,
            step: r.steps.length < n ? r.steps.length : -1,
            families: [f],
            message: `${kind} after ${r.steps.length} of ${n} steps: ${r.error}`,
            bug: true,
          };
        } else if (r.steps.length !== n) {
          finding = {
            oracle: 'robustness',
            kind: 'truncated',
            key: 'truncated',
            step: r.steps.length,
            families: [f],
            message: `the run reported ${r.steps.length} of ${n} steps and no error`,
            bug: true,
          };
        }
        if (finding && !out.has(finding.key)) out.set(finding.key, finding);
      }
    }
    if (ctx.leakedFds) {
      out.set('leak', {
        oracle: 'robustness',
        kind: 'leak',
        key: 'leak',
        step: -1,
        families: [ctx.families[0]],
        message: `${ctx.leakedFds} descriptor(s) still open in the worker after the run`,
        bug: true,
      });
    }
    return [...out.values()];
  },
};

/** Where a family's runs stop agreeing with each other: the first unstable step, or -1. */
export interface Stability {
  readonly step: number;
  readonly field?: Field;
  /** Share of runs that differ from the most common view at that step. */
  readonly rate: number;
  /** Each distinct value seen at that step with its count. */
  readonly values: readonly [string, number][];
}

export function stability(ctx: OracleContext, family: Family): Stability {
  const runs = ctx.runs(family);
  if (runs.length < 2) return { step: -1, rate: 0, values: [] };
  const len = Math.max(...runs.map((r) => r.steps.length));
  for (let i = 0; i < len; i++) {
    const base = runs[0].steps[i];
    for (let k = 1; k < runs.length; k++) {
      const field = stepDiff(base, runs[k].steps[i], true, false);
      if (!field) continue;
      // Text only now, for the one step that varies.
      const counts = new Map<string, number>();
      for (const r of runs) {
        const x = r.steps[i] ? stepView(ctx.seq, r.steps[i])[field] : '(did not run)';
        counts.set(x, (counts.get(x) ?? 0) + 1);
      }
      const top = Math.max(...counts.values());
      return { step: i, field, rate: 1 - top / runs.length, values: [...counts].sort((a, b) => b[1] - a[1]) };
    }
  }
  return { step: -1, rate: 0, values: [] };
}

/**
 * Determinism: re-runs of a sequence on one family give the same results. A step that varies
 * is reported as flaky with its observed rate: never as a difference in behaviour.
 */
export const determinism: Oracle = {
  name: 'determinism',
  check(ctx) {
    const out: Finding[] = [];
    for (const f of ctx.families) {
      const s = stability(ctx, f);
      if (s.step < 0 || !s.field) continue;
      const op = opNameAt(ctx.seq, s.step);
      const runs = ctx.runs(f).length;
      // A stray segment (a delayed ACK, the tail of a bulk transfer) can land in any step: for the
      // wire the key is what varied, not the op it landed in.
      const seen = [...new Set(ctx.runs(f).map((r) => abstractField(s.field!, r.steps[s.step])))].sort();
      const key = s.field === 'wire' ? `flaky ${f} wire: ${seen.join(' | ')}` : `flaky ${f} ${op} ${s.field}`;
      out.push({
        oracle: 'determinism',
        kind: 'flaky',
        key,
        step: s.step,
        families: [f],
        rate: s.rate,
        message:
          `step ${s.step + 1} (${op}) ${s.field} varies over ${runs} runs on ${f}: ` +
          s.values
            .slice(0, 3)
            .map(([v, c]) => `${clip(v || '(empty)', 80)} x${c}`)
            .join('; ') +
          (s.values.length > 3 ? `; ${s.values.length - 3} other values` : ''),
        bug: true,
      });
    }
    return out;
  },
};

export interface DifferentialOptions {
  /** Families that must agree with each other; other differences are catalogued as behaviour. */
  readonly mustAgree?: readonly (readonly Family[])[];
}

const INET: ReadonlySet<Family> = new Set<Family>(['tcp', 'tcp6']);

/**
 * Family differential: the same sequence (its `pair`s take the run's family) on two families.
 * Families in one `mustAgree` group (tcp and tcp6) must agree: a difference is a finding.
 * Other pairs (tcp vs unix) differ by nature: each difference is catalogued as behaviour,
 * deduplicated by its signature (first differing step: op, field, abstracted values). Only
 * steps that every re-run agreed on are compared; wire only between two TCP families.
 */
export function differential(opts: DifferentialOptions = {}): Oracle {
  const groups = opts.mustAgree ?? [['tcp', 'tcp6']];
  const agree = (a: Family, b: Family): boolean => groups.some((g) => g.includes(a) && g.includes(b));
  return {
    name: 'differential',
    check(ctx) {
      const out: Finding[] = [];
      const fams = ctx.families.filter((f) => ctx.runs(f).length > 0 && ctx.runs(f)[0].error === undefined);
      const stable = new Map(fams.map((f) => [f, stability(ctx, f).step] as const));
      // The first family is the reference; each other family is compared with it (not with each other,
      // which would catalogue every tcp/unix difference twice, once more as tcp6/unix).
      if (fams[0] !== ctx.families[0]) return out;
      const a = fams[0];
      for (let y = 1; y < fams.length; y++) {
        {
          const b = fams[y];
          const ra = ctx.runs(a)[0].steps;
          const rb = ctx.runs(b)[0].steps;
          let end = Math.min(ra.length, rb.length);
          for (const f of [a, b]) if ((stable.get(f) ?? -1) >= 0) end = Math.min(end, stable.get(f)!);
          const wire = INET.has(a) && INET.has(b) && ctx.runs(a)[0].wire.captured && ctx.runs(b)[0].wire.captured;
          for (let i = 0; i < end; i++) {
            const field = stepDiff(ra[i], rb[i], wire, true);
            if (!field) continue;
            const va = familyView(ctx.seq, ra[i]);
            const vb = familyView(ctx.seq, rb[i]);
            const op = opNameAt(ctx.seq, i);
            const sa = ctx.runs(a)[0].steps[i];
            const sb = ctx.runs(b)[0].steps[i];
            const bug = agree(a, b);
            out.push({
              oracle: 'differential',
              kind: bug ? 'differs' : 'behaviour',
              key: `${a}/${b} ${op} ${field}: ${abstractField(field, sa)} | ${abstractField(field, sb)}`,
              step: i,
              families: [a, b],
              bug,
              message: `step ${i + 1} (${op}) ${field}: ${a} ${clip(va[field] || '(empty)', 100)}, ${b} ${clip(vb[field] || '(empty)', 100)}`,
            });
            break;
          }
        }
      }
      return out;
    },
  };
}

/** The oracles a campaign runs unless told otherwise. */
export function defaultOracles(): Oracle[] {
  return [robustness, determinism, differential()];
}
