// Oracles judge the runs of one sequence. Each is a plain object behind one interface:
// robustness, determinism, the family differential, and the model (@epl/model: predict every
// step, compare).
import { firstDisagreement, isBulk, predict } from '@epl/model';
import type { Prediction, StepPrediction } from '@epl/model';
import { errnoName, formatEpollFlags, formatTcpFlags } from '@epl/program';
import type { Family, RunResult } from '@epl/program';
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
  /**
   * Lines that say more, worked out only when asked (a saved finding's header and sidecar): the
   * model's answer and reasons beside the kernel's, the rules that part two families.
   */
  readonly details?: () => readonly string[];
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
  /** Say, for each difference, the rules of the model behind the step in each family (default true). */
  readonly model?: boolean;
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
  const model = opts.model !== false;
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
            const seq = ctx.seq;
            const [runA, runB] = [ctx.runs(a)[0], ctx.runs(b)[0]];
            out.push({
              oracle: 'differential',
              kind: bug ? 'differs' : 'behaviour',
              key: `${a}/${b} ${op} ${field}: ${abstractField(field, sa)} | ${abstractField(field, sb)}`,
              step: i,
              families: [a, b],
              bug,
              message: `step ${i + 1} (${op}) ${field}: ${a} ${clip(va[field] || '(empty)', 100)}, ${b} ${clip(vb[field] || '(empty)', 100)}`,
              ...(model ? { details: () => familyRules(seq, i, { family: a, run: runA }, { family: b, run: runB }) } : {}),
            });
            break;
          }
        }
      }
      return out;
    },
  };
}

/** The oracles a campaign runs unless told otherwise; `model: false` leaves the model out (and its rules out of the family catalogue). */
export function defaultOracles(options: { readonly model?: boolean } = {}): Oracle[] {
  const model = options.model !== false;
  return [robustness, determinism, differential({ model }), ...(model ? [modelOracle()] : [])];
}

// The model as an oracle (@epl/model): every run's steps against what the model predicts for
// them. A result or ready list the model did not predict, or a segment it cannot account for, is
// a finding; timing-dependent segments (pure ACKs the delayed-ACK timer holds, bulk transfers
// cut as windows decide) are never counted against it. Only steps every re-run agreed on are
// compared (a step that varies is the determinism oracle's), and only the first disagreement of
// a run: after it the model's state and the kernel's have parted.

export interface ModelOracleOptions {
  /** @epl/model's test hook: rules flipped, to plant a disagreement (`epoll.lt-requeue`). */
  readonly flip?: readonly string[];
}

/** A run's first disagreement with the model, within the steps every re-run agreed on. */
export interface Disagreement {
  readonly step: number;
  readonly field: 'result' | 'ready' | 'wire';
  /** What differs, in words (both answers). */
  readonly differences: readonly string[];
}

/** How a result reads in a key: the errno name, or 0 / 1 / n (a range is n); alternatives joined by `/`. */
function answerClass(o: StepPrediction['result']): string {
  const one = (x: StepPrediction['result']): string =>
    x.errno ? errnoName(x.errno) : x.range ? 'n' : x.ret === 0 ? '0' : x.ret === 1 ? '1' : x.ret > 1 ? 'n' : String(x.ret);
  return [...new Set([o, ...(o.alt ?? [])].map(one))].sort().join('/');
}

/** The model's side of a field, abstracted as the kernel's is (abstractField). */
function modelClass(field: Disagreement['field'], m: StepPrediction): string {
  switch (field) {
    case 'result':
      return answerClass(m.result);
    case 'ready': {
      const list = m.ready ?? [];
      if (!list.length) return 'none';
      return [...new Set(list.map((e) => e.events >>> 0))]
        .sort((a, b) => a - b)
        .map(formatEpollFlags)
        .join(',');
    }
    case 'wire': {
      const flags = new Set<string>();
      for (const w of m.wire) flags.add(isBulk(w) ? 'bulk' : formatTcpFlags(w.flags));
      return flags.size ? [...flags].sort().join(',') : 'none';
    }
  }
}

/** The first step of `run` (before `end`) where the model disagrees, or undefined. */
export function modelDisagreement(seq: Seq, run: RunResult, prediction: Prediction, end: number): Disagreement | undefined {
  const d = firstDisagreement(seq, run, prediction, end);
  if (!d) return undefined;
  const a = d.comparison.agree;
  // A wait whose list differs counts differently too: the list is what says it.
  const field = a.ready === false ? 'ready' : !a.result ? 'result' : 'wire';
  return { step: d.step, field, differences: d.comparison.differences };
}

/** The model as an oracle; `flip` plants a disagreement (tests). */
export function modelOracle(options: ModelOracleOptions = {}): Oracle {
  const flip = options.flip?.length ? options.flip : undefined;
  // The same sequence is judged several times (first look, second look, re-runs): predicted once per family.
  const predictions = new WeakMap<Seq, Map<Family, Prediction>>();
  const predicted = (seq: Seq, family: Family): Prediction => {
    let byFamily = predictions.get(seq);
    if (!byFamily) predictions.set(seq, (byFamily = new Map<Family, Prediction>()));
    let p = byFamily.get(family);
    if (!p) byFamily.set(family, (p = predict(seq, family, { explain: false, ...(flip ? { flip } : {}) })));
    return p;
  };
  return {
    name: 'model',
    check(ctx: OracleContext): Finding[] {
      const out: Finding[] = [];
      for (const family of ctx.families) {
        const run = ctx.runs(family)[0] as RunResult | undefined;
        if (!run || run.steps.length === 0) continue;
        const unstable = stability(ctx, family).step;
        const d = modelDisagreement(ctx.seq, run, predicted(ctx.seq, family), unstable >= 0 ? unstable : run.steps.length);
        if (!d) continue;
        const op = opNameAt(ctx.seq, d.step);
        const proto = family === 'unix' ? 'unix' : 'tcp';
        const seq = ctx.seq;
        out.push({
          oracle: 'model',
          kind: d.field,
          key: `model ${proto} ${op} ${d.field}: kernel ${abstractField(d.field, run.steps[d.step])} | model ${modelClass(d.field, predicted(seq, family).steps[d.step])}`,
          step: d.step,
          families: [family],
          message: `step ${d.step + 1} (${op}) on ${family}: ${clip(d.differences.join('; '), 240)}`,
          bug: true,
          details: () => modelDetails(seq, family, d, flip),
        });
      }
      return out;
    },
  };
}

/** Both answers and the model's reasons for the step (an explaining prediction, made only when asked). */
function modelDetails(seq: Seq, family: Family, d: Disagreement, flip: readonly string[] | undefined): string[] {
  const p = predict(seq, family, flip ? { flip } : {});
  return [...d.differences, ...p.steps[d.step].why.map((r) => `model's reason (${r.rule}): ${r.text}`)];
}

/**
 * Why two families part at step `i`, as the model says: the reasons behind the step in each
 * family that the other does not give (another rule, or the same rule about other things: a wait
 * reports other flags, each for its reason), with their rule ids; and a word when the model does
 * not predict what one of them did up to there (then its reasons are not the whole story).
 */
export function familyRules(seq: Seq, i: number, a: { family: Family; run: RunResult }, b: { family: Family; run: RunResult }): string[] {
  const [pa, pb] = [predict(seq, a.family), predict(seq, b.family)];
  const reasons = (p: Prediction) => p.steps[i]?.why ?? [];
  const out: string[] = [];
  for (const [side, mine, theirs] of [
    [a, pa, pb],
    [b, pb, pa],
  ] as const) {
    const other = new Set(reasons(theirs).map((r) => `${r.rule}\0${r.text}`));
    for (const r of reasons(mine)) if (!other.has(`${r.rule}\0${r.text}`)) out.push(`${side.family}: ${r.rule}: ${r.text}`);
    if (modelDisagreement(seq, side.run, mine, i + 1) !== undefined)
      out.push(`${side.family}: the model does not predict what the kernel did up to this step (a model finding)`);
  }
  return out;
}
