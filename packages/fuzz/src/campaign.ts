// A fuzzing campaign: generate or mutate sequences in batches, run each batch through the
// pool (one call per batch, never per op), judge them with the oracles, keep the novel ones
// as corpus, shrink and save every new finding.
//
// Cost model: every sequence runs once, on the first family. Only a sequence that shows a
// signature never seen, a finding, or that was sampled for the family differential runs
// again (once per family); only one whose second look raises a finding is topped up to
// `reruns` runs per family, so flakes are told from differences. Everything that decides
// what comes next (novelty, corpus, findings) is processed in generation order, and a batch
// may only mutate corpus entries from batches `inflight` before it: the same seed gives the
// same sequences and files whenever the kernel answers the same way.
import type { Family, ProgramCode, RunResult } from '@epl/program';
import { Op, OP_WORDS } from '@epl/program';
import { Corpus, CorpusEntry } from './corpus';
import { resultOf, type Runner } from './runs';
import { DEFAULT_LENGTH, Generator } from './generate';
import { Mutator } from './mutate';
import { grown } from './leaks';
import { Finding, Oracle, RunContext, defaultOracles, robustness } from './oracles';
import { Rng, seedHash } from './prng';
import type { Seq } from './seq';
import { ShrinkResult, shrink } from './shrink';
import { SignatureSet } from './signature';

// Module-level copies: an imported binding is a getter on every use, and these are hot loops.
const WORDS = OP_WORDS;
const PAIR = Op.pair;

/** What the campaign reads: decoded runs (the oracles and signatures look into every step). */
interface Decoded {
  runAll(programs: readonly ProgramCode[], opts: { family: Family; batchSize?: number }): Promise<RunResult[]>;
}

export interface CampaignOptions {
  readonly seed?: string | number;
  /** Sequences to run (default 10,000 unless `timeSec` is given). */
  readonly count?: number;
  /** Stop generating after this many seconds (the shrinking of findings still finishes). */
  readonly timeSec?: number;
  /** Ops per generated sequence (default 30). */
  readonly length?: number;
  /** Families to run; the first runs every sequence, the others the ones looked at again (default tcp, tcp6, unix). */
  readonly families?: readonly Family[];
  /** The oracles (default: defaultOracles, the model among them unless `model` is false). */
  readonly oracles?: readonly Oracle[];
  /** Judge runs against @epl/model too, and name its rules in the family catalogue (default true; ignored with `oracles`). */
  readonly model?: boolean;
  /** Sequences per pool call (default 512). */
  readonly batch?: number;
  /** Batches in flight at once (default 4); a batch mutates only corpus entries judged that many batches before. */
  readonly inflight?: number;
  /** Runs per family when a sequence raised a finding (default 4). */
  readonly reruns?: number;
  /** Share of sequences with a `pair` that are run on every family even without novelty (default 0.03). */
  readonly crossRate?: number;
  /** Share of sequences made by mutating the corpus once it has entries (default 0.5). */
  readonly mutateRate?: number;
  /** Shrink findings (default true). */
  readonly shrink?: boolean;
  /** Candidates tested per finding at most (default 400). */
  readonly shrinkBudget?: number;
  /** Share of the pool's runs shrinking and saving may take while fuzzing goes on (default 0.1). */
  readonly shrinkShare?: number;
  /** Findings shrunk at once once the fuzzing is over (default 4). */
  readonly shrinkConcurrency?: number;
  /** Receives corpus entries and finished findings (files: see save.ts). */
  readonly sink?: Sink;
  /**
   * Open-descriptor counts of the pool's isolated workers by thread (isolatedFdCounts reads
   * them from /proc). When given, the campaign pauses every `leakCheckMs` to read them with the
   * pool idle; a worker that holds more than before leaked: the sequences since the last check
   * are re-run in halves to find the one that leaks.
   */
  readonly fdCounts?: () => ReadonlyMap<number, number>;
  /** How often to check for leaked descriptors (default 2000 ms; the end of the fuzzing is always checked). */
  readonly leakCheckMs?: number;
  readonly onProgress?: (s: Stats) => void;
  /** How often onProgress is called (default 250 ms). */
  readonly progressMs?: number;
}

export interface Sink {
  corpus?(entry: CorpusEntry): void | Promise<void>;
  /** `runner` is the campaign's (it holds such runs back while it checks for leaks). */
  finding?(rec: FindingRecord, runner: Runner): void | Promise<void>;
}

/** A distinct finding (first sequence that showed its key) and what became of it. */
export interface FindingRecord {
  /** Generation index of the sequence that first showed it. */
  readonly index: number;
  readonly finding: Finding;
  readonly seq: Seq;
  /** `gen`, or the mutations that made the sequence. */
  readonly origin: string;
  /** Sequences that showed the same key (the first included). */
  occurrences: number;
  shrunk?: ShrinkResult;
  /** The finding as the shrunk sequence shows it (step numbers of the shrunk sequence). */
  final?: Finding;
}

export interface Stats {
  readonly seed: string;
  /** Sequences generated and run. */
  readonly sequences: number;
  /** Of which mutants of corpus entries. */
  readonly mutants: number;
  /** Ops executed by fuzzing runs (first runs and re-runs; shrinking not counted). */
  readonly ops: number;
  readonly runs: number;
  readonly signatures: number;
  readonly corpus: number;
  /** Distinct findings per oracle (catalogued behaviour excluded; robustness counts leak windows too). */
  readonly findings: Readonly<Record<string, number>>;
  /** Distinct catalogued behaviour differences. */
  readonly behaviours: number;
  readonly shrunk: number;
  readonly shrinksPending: number;
  /** Mean shrunk length / original length over shrunk findings (NaN before the first). */
  readonly shrinkRatio: number;
  /** Runs spent shrinking. */
  readonly shrinkRuns: number;
  /** Milliseconds spent generating and running (the shrinking tail excluded). */
  readonly fuzzMs: number;
  readonly elapsedMs: number;
}

/** Descriptors a worker kept over a stretch of sequences, when no single sequence could be blamed. */
export interface LeakWindow {
  /** Generation indexes [from, to) run between the two checks. */
  readonly from: number;
  readonly to: number;
  readonly tid: number;
  readonly before: number;
  readonly after: number;
}

export interface Summary extends Stats {
  readonly records: readonly FindingRecord[];
  readonly leakWindows: readonly LeakWindow[];
}

interface Item {
  readonly index: number;
  readonly seq: Seq;
  readonly origin: string;
  readonly families: readonly Family[];
}

interface Picked {
  readonly item: Item;
  readonly runs: Map<Family, RunResult[]>;
}

interface Looked {
  readonly picked: readonly Picked[];
  readonly second: Promise<void>;
}

/**
 * Programs per worker task for a call of n Programs. Each task costs the pool a message, an
 * abort signal and a shared progress cell, about as much as running a few Programs: small
 * calls (second looks, shrinking) go as one task of up to 32, big batches as 4 tasks.
 */
export function taskSize(n: number): number {
  return Math.max(1, Math.ceil(n / 4), Math.min(n, 32));
}

export function hasPair(seq: Seq): boolean {
  for (let i = 0; i < seq.code.length; i += WORDS) if (seq.code[i] === PAIR) return true;
  return false;
}

export class Campaign {
  readonly seed: string;
  /** Every signature of every run: the corpus and the figures. */
  readonly signatures = new SignatureSet();
  /** Signatures of first runs only, added in generation order: what novelty is judged on. */
  private readonly firstRuns = new SignatureSet();
  readonly corpus = new Corpus();
  readonly records: FindingRecord[] = [];
  private readonly keys = new Map<string, FindingRecord>();
  private readonly families: readonly Family[];
  private readonly oracles: readonly Oracle[];
  private readonly gen: Generator;
  private readonly mutator: Mutator;
  private readonly choose: Rng;
  private readonly crossSeed: number;
  readonly leakWindows: LeakWindow[] = [];
  private readonly queue: FindingRecord[] = [];
  /** Held while the pool must stay idle (leak checks); the shrinker and the sink wait on it. */
  private gate: Promise<void> | undefined;
  private gatedBusy = 0;
  private gatedIdle: (() => void)[] = [];
  private fdBase = new Map<number, number>();
  /** Programs the shrinker and the sink ran. */
  private sideRuns = 0;
  private fuzzing = false;
  /**
   * The runner as the shrinker and the sink use it: held back while the fuzzer checks for
   * leaks, and while fuzzing kept to `shrinkShare` of the pool's runs, so finding things early
   * does not stall the search (what is left is done when the fuzzing ends).
   */
  private readonly gated: Runner = {
    runAll: async (programs, opts) => {
      const share = this.opts.shrinkShare ?? 0.1;
      while (this.gate || (this.fuzzing && this.sideRuns > share * this.runs)) {
        if (this.gate) await this.gate;
        else await new Promise((r) => setTimeout(r, 10));
      }
      this.sideRuns += programs.length;
      this.gatedBusy++;
      try {
        return await this.runner.runAll(programs, { batchSize: taskSize(programs.length), ...opts });
      } finally {
        if (--this.gatedBusy === 0) for (const w of this.gatedIdle.splice(0)) w();
      }
    },
  };
  private readonly shrinkers = new Set<Promise<void>>();
  private shrinkError: unknown;
  private sequences = 0;
  private mutants = 0;
  private ops = 0;
  private runs = 0;
  private shrinkRuns = 0;
  private pending = 0;
  private start = 0;
  private fuzzEnd = 0;

  /** The runner's runs, decoded for the oracles. */
  private readonly decoded: Decoded = {
    runAll: async (programs, opts) => (await this.runner.runAll(programs, opts)).map((r) => resultOf(r, opts.family)),
  };

  constructor(
    private readonly runner: Runner,
    private readonly opts: CampaignOptions = {},
  ) {
    this.seed = String(opts.seed ?? 1);
    this.families = opts.families?.length ? opts.families : ['tcp', 'tcp6', 'unix'];
    this.oracles = opts.oracles ?? defaultOracles({ model: opts.model !== false });
    const length = opts.length ?? DEFAULT_LENGTH;
    // Independent streams: mutating more or less never shifts what fresh generation yields.
    this.gen = new Generator(new Rng(this.seed, 0), { length });
    this.choose = new Rng(this.seed, 1);
    // Inserts take a few ops from a short fresh sequence: generating a full one each time would waste time.
    this.mutator = new Mutator(new Rng(this.seed, 2), new Generator(new Rng(this.seed, 3), { length: 8 }), { maxLength: Math.max(length * 2, 8) });
    this.crossSeed = seedHash(this.seed + '/cross');
  }

  stats(): Stats {
    const now = Date.now();
    const findings: Record<string, number> = {};
    for (const o of this.oracles) findings[o.name] = 0;
    let behaviours = 0;
    let shrunk = 0;
    let ratio = 0;
    if (this.leakWindows.length) findings.robustness = (findings.robustness ?? 0) + this.leakWindows.length;
    for (const r of this.records) {
      if (r.finding.bug) findings[r.finding.oracle] = (findings[r.finding.oracle] ?? 0) + 1;
      else behaviours++;
      if (r.shrunk) {
        shrunk++;
        ratio += r.shrunk.to / Math.max(1, r.shrunk.from);
      }
    }
    return {
      seed: this.seed,
      sequences: this.sequences,
      mutants: this.mutants,
      ops: this.ops,
      runs: this.runs,
      signatures: this.signatures.size,
      corpus: this.corpus.size,
      findings,
      behaviours,
      shrunk,
      shrinksPending: this.pending,
      shrinkRatio: shrunk ? ratio / shrunk : NaN,
      shrinkRuns: this.shrinkRuns,
      fuzzMs: (this.fuzzEnd || now) - this.start,
      elapsedMs: now - this.start,
    };
  }

  async run(): Promise<Summary> {
    const o = this.opts;
    const batch = Math.max(1, o.batch ?? 512);
    const inflight = Math.max(1, o.inflight ?? 4);
    const total = o.count ?? (o.timeSec !== undefined ? Infinity : 10000);
    this.start = Date.now();
    const deadline = o.timeSec !== undefined ? this.start + o.timeSec * 1000 : Infinity;
    const timer = o.onProgress ? setInterval(() => o.onProgress!(this.stats()), o.progressMs ?? 250) : undefined;
    timer?.unref();
    const leakEvery = o.leakCheckMs ?? 2000;
    let lastCheck = Date.now();
    let since: Item[] = [];
    if (o.fdCounts) this.fdBase = new Map(o.fdCounts());
    this.fuzzing = true;
    try {
      const window: Promise<void>[] = [];
      // Two chains, each in generation order: first looks, and judgements (which also wait for
      // their own first look). A batch is generated once the batch `inflight` before it is judged.
      let looks: Promise<unknown> = Promise.resolve();
      let chain: Promise<void> = Promise.resolve();
      let generated = 0;
      for (let b = 0; generated < total; b++) {
        if (window.length >= inflight) await window.shift();
        if (Date.now() >= deadline) break;
        if (o.fdCounts && Date.now() - lastCheck >= leakEvery) {
          await chain;
          window.length = 0;
          await this.leakCheck(since);
          since = [];
          lastCheck = Date.now();
        }
        const n = Math.min(batch, total - generated);
        const items = this.makeBatch(b, n, generated, inflight);
        if (o.fdCounts) since.push(...items);
        generated += n;
        const primary = this.decoded.runAll(
          items.map((it) => it.seq),
          { family: this.families[0], batchSize: taskSize(items.length) },
        );
        primary.catch(() => undefined); // awaited (and its failure thrown) by the chain
        const look = looks.then(() => this.firstLook(items, primary));
        looks = look.catch(() => undefined);
        chain = chain.then(async () => this.judge(b, await look));
        window.push(chain);
      }
      await chain;
      this.fuzzEnd = Date.now();
      this.fuzzing = false;
      if (o.fdCounts) await this.leakCheck(since);
      // The fuzzing is over: the pool is the shrinkers' now, several at once to keep it busy.
      this.spawnShrinkers(Math.max(1, o.shrinkConcurrency ?? 4));
      while (this.shrinkers.size) await Promise.all([...this.shrinkers]);
      // eslint-disable-next-line @typescript-eslint/only-throw-error -- rethrows what a shrinker threw, unchanged
      if (this.shrinkError !== undefined) throw this.shrinkError;
    } finally {
      this.fuzzing = false;
      if (timer) clearInterval(timer);
    }
    const s = this.stats();
    o.onProgress?.(s);
    return { ...s, records: this.records, leakWindows: this.leakWindows };
  }

  /** Sequences `first`… of batch `b`: fresh ones, or mutants of corpus entries old enough to be fixed. */
  makeBatch(b: number, n: number, first: number, lag: number): Item[] {
    const visible = this.corpus.visible(b, lag);
    const mutateRate = this.opts.mutateRate ?? 0.5;
    const items: Item[] = [];
    for (let k = 0; k < n; k++) {
      const index = first + k;
      let seq: Seq;
      let origin = 'gen';
      if (visible && this.choose.chance(mutateRate)) {
        const base = this.corpus.at(this.choose.int(visible));
        const other = this.corpus.at(this.choose.int(visible));
        const m = this.mutator.mutate(base.seq, other.seq);
        seq = m.seq;
        origin = `${m.how.join('+')} of #${base.index}` + (m.how.includes('splice') ? ` and #${other.index}` : '');
        this.mutants++;
      } else seq = this.gen.generate();
      items.push({ index, seq, origin, families: hasPair(seq) ? this.families : [this.families[0]] });
    }
    return items;
  }

  private crossSampled(index: number): boolean {
    const rate = this.opts.crossRate ?? 0.03;
    if (rate <= 0) return false;
    let h = Math.imul(this.crossSeed ^ index, 0x9e3779b1);
    h ^= h >>> 15;
    h = Math.imul(h, 0x85ebca77);
    h ^= h >>> 13;
    return (h >>> 0) / 0x100000000 < rate;
  }

  private check(seq: Seq, index: number, runs: ReadonlyMap<Family, readonly RunResult[]>): Finding[] {
    const ctx = new RunContext(seq, index, runs);
    const out: Finding[] = [];
    for (const o of this.oracles) out.push(...o.check(ctx));
    return out;
  }

  private count(results: readonly RunResult[]): void {
    this.runs += results.length;
    for (const r of results) this.ops += r.steps.length;
  }

  /**
   * First look at a batch, in generation order: novelty against the first runs seen so far,
   * a cheap check, the sample for the family differential. The second look at what it picked
   * is sent to the pool at once (not after the previous batch is fully judged), so the pool
   * always has work queued.
   */
  private async firstLook(items: readonly Item[], primary: Promise<RunResult[]>): Promise<Looked> {
    const results = await primary;
    this.sequences += items.length;
    this.count(results);
    const fam0 = this.families[0];
    const picked: Picked[] = [];
    items.forEach((item, k) => {
      const r = results[k];
      const runs = new Map<Family, RunResult[]>([[fam0, [r]]]);
      const fresh = this.firstRuns.addRun(item.seq, r, item.index).length > 0;
      const cross = item.families.length > 1 && this.crossSampled(item.index);
      if (fresh || cross || this.check(item.seq, item.index, runs).length) picked.push({ item, runs });
    });
    // A second look: once more on the first family, once on each other family.
    const second = picked.length ? this.runMore(picked, (p, f) => (f === fam0 ? 2 : 1)) : Promise.resolve();
    second.catch(() => undefined); // awaited (and its failure thrown) by judge()
    return { picked, second };
  }

  /** Judges a batch once its second look is back, in generation order: findings, corpus, signatures. */
  private async judge(b: number, looked: Looked): Promise<void> {
    const { picked, second } = looked;
    await second;
    if (picked.length) {
      const reruns = Math.max(2, this.opts.reruns ?? 4);
      // Only a finding not seen before earns the full re-runs, and only for the first sequence of
      // the batch that shows it; a known key just counts once more.
      const claimed = new Set<string>();
      const suspicious = picked.filter((p) => {
        const fresh = this.check(p.item.seq, p.item.index, p.runs).filter((f) => !this.keys.has(f.key) && !claimed.has(f.key));
        for (const f of fresh) claimed.add(f.key);
        return fresh.length > 0;
      });
      if (suspicious.length) await this.runMore(suspicious, () => reruns);
      for (const p of picked) {
        const findings = this.check(p.item.seq, p.item.index, p.runs);
        const fresh: string[] = [];
        for (const runs of p.runs.values()) for (const r of runs) fresh.push(...this.signatures.addRun(p.item.seq, r, p.item.index));
        if (fresh.length) {
          const entry: CorpusEntry = { index: p.item.index, seq: p.item.seq, newSignatures: fresh, origin: p.item.origin };
          this.corpus.add(entry);
          await this.opts.sink?.corpus?.(entry);
        }
        for (const f of findings) this.note(f, p.item);
      }
    }
    this.corpus.mark(b);
  }

  /** Runs each picked sequence until it has `want(p, family)` runs on each of its families. */
  private async runMore(picked: readonly Picked[], want: (p: Picked, f: Family) => number): Promise<void> {
    await Promise.all(
      this.families.map(async (f) => {
        const programs: Seq[] = [];
        const owners: Picked[] = [];
        for (const p of picked) {
          if (!p.item.families.includes(f)) continue;
          const have = p.runs.get(f)?.length ?? 0;
          for (let k = have; k < want(p, f); k++) {
            programs.push(p.item.seq);
            owners.push(p);
          }
        }
        if (!programs.length) return;
        const results = await this.decoded.runAll(programs, { family: f, batchSize: taskSize(programs.length) });
        this.count(results);
        results.forEach((r, k) => {
          const runs = owners[k].runs;
          const list = runs.get(f) ?? [];
          list.push(r);
          runs.set(f, list);
        });
      }),
    );
    // Families in the campaign's order, whatever order the pool answered in: the first is the reference.
    for (const p of picked) {
      const sorted = this.families.filter((f) => p.runs.has(f)).map((f) => [f, p.runs.get(f)!] as const);
      p.runs.clear();
      for (const [f, r] of sorted) p.runs.set(f, r);
    }
  }

  private note(f: Finding, item: Item): void {
    const known = this.keys.get(f.key);
    if (known) {
      known.occurrences++;
      return;
    }
    const rec: FindingRecord = { index: item.index, finding: f, seq: item.seq, origin: item.origin, occurrences: 1 };
    this.keys.set(f.key, rec);
    this.records.push(rec);
    this.pending++;
    this.queue.push(rec);
    this.spawnShrinkers(1);
  }

  /** Makes sure `n` shrinkers work through the queue (one beside the fuzzing, more after it). */
  private spawnShrinkers(n: number): void {
    while (this.shrinkers.size < n && this.queue.length) {
      const p: Promise<void> = this.drainQueue().finally(() => this.shrinkers.delete(p));
      this.shrinkers.add(p);
    }
  }

  /**
   * Shrinks and saves queued findings one after the other: defects before catalogued behaviour,
   * then in discovery order. Each result depends only on its own sequence, so neither this order
   * nor how many shrinkers run at once changes the files.
   */
  private async drainQueue(): Promise<void> {
    for (;;) {
      const at = this.queue.findIndex((r) => r.finding.bug);
      const rec = this.queue.splice(at >= 0 ? at : 0, 1)[0];
      if (!rec) break;
      const f = rec.finding;
      try {
        // A leak shows only with the pool idle, which shrinking beside the fuzzing cannot have.
        if (this.opts.shrink !== false && f.kind !== 'leak') {
          const budget = this.opts.shrinkBudget ?? 400;
          rec.shrunk = await shrink(rec.seq, {
            test: async (cands) => (await this.showing(f, cands)).map(Boolean),
            focus: f.step,
            // Catalogued behaviour gets a smaller budget (there is a lot of it and it is not a defect),
            // and so does a flake: each of its candidates costs many runs, and flakes are not chased.
            budget: f.kind === 'flaky' ? Math.ceil(budget / 8) : f.bug ? budget : Math.ceil(budget / 4),
          });
          // The finding as the shrunk sequence shows it (its step numbers); a flake may need a few tries.
          for (let k = 0; k < 3 && !rec.final; k++) rec.final = (await this.showing(f, [rec.shrunk.seq]))[0];
        }
        await this.opts.sink?.finding?.(rec, this.gated);
      } catch (e) {
        this.shrinkError ??= e;
      } finally {
        this.pending--;
      }
    }
  }

  /** Holds the shrinker and the sink back and waits until their runs are done: the pool is then idle. */
  private async hold(): Promise<() => void> {
    let release!: () => void;
    this.gate = new Promise<void>((r) => (release = r));
    while (this.gatedBusy > 0) await new Promise<void>((r) => this.gatedIdle.push(r));
    return () => {
      this.gate = undefined;
      release();
    };
  }

  /** Runs every family of each item once; true when some worker then holds more descriptors. */
  private async leaksWhenRun(items: readonly Item[]): Promise<{ tid: number; before: number; after: number }[]> {
    const before = this.opts.fdCounts!();
    await Promise.all(
      this.families.map((f) => {
        const seqs = items.filter((it) => it.families.includes(f)).map((it) => it.seq);
        return seqs.length ? this.runner.runAll(seqs, { family: f, batchSize: taskSize(seqs.length) }) : Promise.resolve();
      }),
    );
    return grown(before, this.opts.fdCounts!());
  }

  /**
   * With the pool idle, compares the workers' descriptor counts with the last check. If one
   * grew and grows again when the sequences since then are re-run, re-runs them in halves to
   * find one that leaks on its own; that one is a robustness finding (via the oracle's
   * leakedFds), or else the window is reported.
   */
  private async leakCheck(since: readonly Item[]): Promise<void> {
    const release = await this.hold();
    try {
      const now = this.opts.fdCounts!();
      const g = grown(this.fdBase, now);
      this.fdBase = new Map(now);
      if (!g.length || !since.length) return;
      // Growth that the same sequences do not repeat is not theirs: a worker keeps what its
      // first runs set up (capture socket, namespace), and a replaced worker starts afresh.
      if (!(await this.leaksWhenRun(since)).length) return;
      let cands = since;
      while (cands.length > 1) {
        const half = cands.slice(0, Math.ceil(cands.length / 2));
        if ((await this.leaksWhenRun(half)).length) cands = half;
        else if ((await this.leaksWhenRun(cands.slice(half.length))).length) cands = cands.slice(half.length);
        else break;
      }
      const again = cands.length === 1 ? await this.leaksWhenRun(cands) : [];
      if (again.length) {
        const item = cands[0];
        const leaked = again.reduce((n, x) => n + x.after - x.before, 0);
        const ctx = new RunContext(item.seq, item.index, new Map([[item.families[0], []]]), leaked);
        for (const f of robustness.check(ctx)) this.note(f, item);
      } else {
        for (const x of g) this.leakWindows.push({ from: since[0].index, to: since[since.length - 1].index + 1, ...x });
      }
      this.fdBase = new Map(this.opts.fdCounts!());
    } finally {
      release();
    }
  }

  /**
   * Runs per family a shrinking candidate gets. A stable finding was confirmed over `reruns`
   * runs when found; a candidate must show it in 3 runs of 3 (2 for catalogued behaviour), so
   * a flake is not taken for it. A flaky finding needs enough runs to see the flake at its rate.
   */
  private runsFor(f: Finding): number {
    if (f.kind === 'flaky' && f.rate) return Math.min(24, Math.max(4, Math.ceil(3 / f.rate)));
    return f.bug ? 3 : 2;
  }

  /** For each candidate, the finding with `f`'s key it still shows (re-run on f's families, judged by f's oracle). */
  async showing(f: Finding, cands: readonly Seq[]): Promise<(Finding | undefined)[]> {
    const oracle = this.oracles.find((o) => o.name === f.oracle);
    if (!oracle) return cands.map(() => undefined);
    const k = this.runsFor(f);
    const fams = f.families;
    const programs: Seq[] = [];
    for (const c of cands) for (let j = 0; j < k; j++) programs.push(c);
    const byFam = await Promise.all(fams.map(async (fam) => (await this.gated.runAll(programs, { family: fam })).map((r) => resultOf(r, fam))));
    this.shrinkRuns += programs.length * fams.length;
    return cands.map((c, i) => {
      const runs = new Map<Family, RunResult[]>(fams.map((fam, j) => [fam, byFam[j].slice(i * k, (i + 1) * k)]));
      return oracle.check(new RunContext(c, -1, runs)).find((x) => x.key === f.key);
    });
  }
}
