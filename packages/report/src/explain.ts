// `epl explain`: a scenario run on the kernel set beside the model's prediction of it (@epl/model),
// step by step, with the model's reasons; as text for people, as JSON records, and as the
// records the HTML, JUnit and TAP renderers read (the model's answers in the place of the
// file's expectations, its reasons in each step's `why`).
import { printSegments } from '@epl/compiler';
import { compare, isBulk, predict } from '@epl/model';
import type { Agreement, Prediction, Reason, StateView, StepComparison, StepPrediction, WireItem } from '@epl/model';
import { errnoName, formatEpollFlags, formatTcpFlags } from '@epl/program';
import type { Program, Segment, StepResult } from '@epl/program';
import { toRecord, stepText, type ScenarioRecord, type StepRecord } from './json';
import { observedResult } from './observed';
import type { Scenario } from './scenario';

export interface ExplainOptions {
  /** Test hook of @epl/model (`PredictOptions.flip`): rules flipped to plant a disagreement. */
  readonly flip?: readonly string[];
}

/** One step: what the kernel answered, what the model predicted and why, and whether they agree. */
export interface ExplainedStep {
  /** The op's index in the Program. */
  readonly index: number;
  readonly line: number;
  readonly col: number;
  /** The statement as written. */
  readonly statement: string;
  readonly setup: boolean;
  readonly kernel: StepResult;
  readonly model: StepPrediction;
  readonly comparison: StepComparison;
}

/** A scenario run explained: every step that ran on the kernel, with the model's account of it. */
export interface Explanation {
  readonly scenario: Scenario;
  readonly prediction?: Prediction;
  readonly steps: readonly ExplainedStep[];
  /** Steps where the model and the kernel disagree (result, ready list or wire). */
  readonly disagreements: number;
  /** Why the run stopped before its end, or was lost: then it cannot be said to agree. */
  readonly error?: string;
  /** Every step agrees and the run completed. */
  readonly agrees: boolean;
}

/** A step agrees when its result, its ready list (a wait) and its wire (when captured) all do. */
export function stepAgrees(a: Agreement): boolean {
  return a.result && a.ready !== false && a.wire !== false;
}

/** Runs the model on a scenario and sets it against the scenario's kernel run (its view must have been kept). */
export function explainScenario(s: Scenario, source?: string, options: ExplainOptions = {}): Explanation {
  const { program, view } = s;
  if (!view) return { scenario: s, steps: [], disagreements: 0, error: s.outcome.error ?? 'the scenario has no results', agrees: false };
  const result = view.toResult();
  const prediction = predict(program, s.family, options.flip ? { flip: options.flip } : {});
  const comparison = compare(program, result, prediction);
  const steps = comparison.steps.map((c, i): ExplainedStep => {
    const span = program.steps[i]?.span;
    return {
      index: i,
      line: span?.line ?? 0,
      col: span?.col ?? 0,
      statement: stepText(program, i, source),
      setup: program.steps[i]?.setup ?? false,
      kernel: result.steps[i],
      model: prediction.steps[i],
      comparison: c,
    };
  });
  const disagreements = steps.filter((x) => !stepAgrees(x.comparison.agree)).length;
  return { scenario: s, prediction, steps, disagreements, error: result.error, agrees: disagreements === 0 && result.error === undefined };
}

/** One answer of the model in `=>` syntax: a range as `lo..hi`. */
function outcomeText(program: Program, i: number, o: StepPrediction['result'], ready: StepPrediction['ready']): string {
  if (o.errno === 0 && o.range && (o.bytes === null || o.bytes === undefined)) return `${o.range.lo}..${o.range.hi}`;
  const like: StepResult = {
    ret: o.ret,
    errno: o.errno,
    fds: [],
    wire: [],
    ...(o.bytes ? { bytes: o.bytes } : {}),
    ...(ready ? { ready: ready.map((e) => ({ slot: e.data, events: e.events })) } : {}),
  };
  return observedResult(program, i, like);
}

/** The model's answer for op `i` in `=>` syntax, every alternative it allows (`EAGAIN or 1`). */
export function modelResultText(program: Program, i: number, m: StepPrediction): string {
  const answers = [m.result, ...(m.result.alt ?? [])].map((o) => outcomeText(program, i, o, m.ready));
  if (m.ifAcksLand) answers.push(`${outcomeText(program, i, m.ifAcksLand.result, m.ifAcksLand.ready)} (if owed ACKs land first)`);
  return [...new Set(answers)].join(' or ');
}

function itemText(program: Program, w: WireItem): string {
  const name = (slot: number) => program.names[slot] ?? `#${slot}`;
  if (isBulk(w))
    return `${name(w.src)} > ${name(w.dst)} bulk ${w.bytes.lo === w.bytes.hi ? w.bytes.lo : `${w.bytes.lo}..${w.bytes.hi}`} bytes${w.rst ? ' (answered with RST)' : ''}`;
  return `${name(w.src)} > ${name(w.dst)} ${formatTcpFlags(w.flags)}${w.len ? ` len ${w.len}` : ''}${w.timing === 'delayed' ? ' (may land later)' : ''}`;
}

/**
 * The model's segments for a step in `~>` syntax; a pure ACK the timer holds says it may land
 * later, a bulk transfer its byte count, and the ACKs owed that may land during the step follow.
 */
export function modelWireText(program: Program, m: StepPrediction): string {
  const certain = m.wire.length ? m.wire.map((w) => itemText(program, w)).join(', ') : 'none';
  if (!m.mayLand.length) return certain;
  return `${certain} (${printSegments(program.names, m.mayLand)} may land here or later)`;
}

/** The reason a step's rules gave for `rule`, or an earlier step's (a delayed ACK landing late). */
function reasonFor(e: Explanation, at: number, rule: string): Reason | undefined {
  for (let k = at; k >= 0; k--) {
    const r = e.steps[k]?.model.why.find((x) => x.rule === rule);
    if (r) return r;
  }
  return undefined;
}

/** The kernel's segments of a step grouped by the model's reason for them, in order. */
export function segmentReasons(e: Explanation, at: number): { segments: Segment[]; rule?: string; reason?: Reason }[] {
  const st = e.steps[at];
  const used = new Set<WireItem>();
  const usedLate = new Set<number>();
  const out: { segments: Segment[]; rule?: string; reason?: Reason }[] = [];
  for (const k of st.kernel.wire) {
    let rule: string | undefined;
    const exact = st.model.wire.find((w) => !used.has(w) && !isBulk(w) && w.src === k.src && w.dst === k.dst && w.flags === k.flags && w.len === k.len);
    if (exact) {
      used.add(exact);
      rule = exact.rule;
    } else {
      const late = st.model.mayLand.findIndex((w, j) => !usedLate.has(j) && w.src === k.src && w.dst === k.dst && w.flags === k.flags && k.len === 0);
      if (late >= 0) {
        usedLate.add(late);
        rule = st.model.mayLand[late].rule;
      } else {
        const bulk = st.model.wire.find((w) => isBulk(w) && ((w.src === k.src && w.dst === k.dst) || (w.src === k.dst && w.dst === k.src)));
        rule = bulk?.rule;
      }
    }
    const last = out[out.length - 1];
    if (last && last.rule === rule) last.segments.push(k);
    else out.push({ segments: [k], rule, reason: rule === undefined ? undefined : reasonFor(e, at, rule) });
  }
  return out;
}

/** A wait's reason that says why a registration was not reported. */
function isSilent(st: ExplainedStep, r: Reason): boolean {
  return st.model.ready !== undefined && st.comparison.silent.includes(r);
}

/** A reason as one sentence; on a wait, one about a registration it did not report says so. */
function sentence(st: ExplainedStep, r: Reason): string {
  return isSilent(st, r) ? `not reported: ${r.text}` : r.text;
}

/** The sentences of a step's reasons, in order. */
export function whySentences(st: ExplainedStep): string[] {
  return st.model.why.map((r) => sentence(st, r));
}

export type ExplainPaint = (colour: 'red' | 'green' | 'yellow' | 'dim', text: string) => string;

export interface ExplainTextOptions {
  /** Add the model's objects after each step (fd table, files, epolls' interest lists). */
  readonly state?: boolean;
  /** Colours for a terminal (default none). */
  readonly paint?: ExplainPaint;
}

/** The objects after a step, one line each: names, then files with what the model tracks of them. */
export function stateLines(v: StateView): string[] {
  const lines = [`fds: ${v.fds.length ? v.fds.map((f) => `${f.name} → ${f.file}`).join(', ') : 'none'}`];
  for (const f of v.files) {
    const parts = [`open ${f.open}`];
    if (f.state !== undefined) parts.push(f.state);
    if (f.queued !== undefined) parts.push(`${f.queued} bytes queued`);
    if (f.slots !== undefined) parts.push(`${f.slots} of 16 page slots used`);
    if (f.counter !== undefined) parts.push(`counter ${f.counter}`);
    if (f.shutdown !== undefined && f.shutdown !== 'none') parts.push(`shut ${f.shutdown}`);
    if (f.error !== undefined) parts.push(`pending error ${f.error}`);
    if (f.acceptQueue !== undefined) parts.push(`${f.acceptQueue} to accept`);
    if (f.peer !== undefined) parts.push(`peer ${f.peer}`);
    if (f.held) parts.push(`${f.held} bytes held by Nagle`);
    if (f.owesAck) parts.push('owes an ACK');
    lines.push(`${f.file} ${f.kind}: ${parts.join(', ')}`);
    if (f.interest) {
      // The ready list as the registrations it holds, in its order.
      const byKey = new Map(f.interest.map((r) => [`${r.file}/${r.fd}`, r]));
      for (const r of f.interest)
        lines.push(`  (${r.file}, ${r.name}) ${r.events} data ${r.data}${r.armed ? '' : ', disarmed'}${r.ready ? ', on the ready list' : ''}`);
      if (f.readyList?.length)
        lines.push(`  ready list: ${f.readyList.map((k) => (byKey.has(k) ? `(${byKey.get(k)!.file}, ${byKey.get(k)!.name})` : k)).join(', ')}`);
    }
  }
  for (const o of v.orphans) lines.push(`${o.name}'s socket outlives its file: ${o.state}`);
  return lines;
}

/** `file: title [family]`, the line above a scenario's explanation. */
export function explainHeading(e: Explanation): string {
  return `${e.scenario.file}: ${e.scenario.program.title} [${e.scenario.family}]`;
}

/**
 * The transcript of a scenario with the model's account under every step: the statement and the
 * kernel's answer (`=>` syntax), each segment with the rule that sent it, the other reasons;
 * a step where the model disagrees is marked ✗ with the model's answer.
 */
export function explainText(e: Explanation, options: ExplainTextOptions = {}): string {
  const paint: ExplainPaint = options.paint ?? ((_c, t) => t);
  const { program } = e.scenario;
  const out = [explainHeading(e)];
  const width = Math.min(40, Math.max(0, ...e.steps.map((s) => s.statement.length)));
  const lineWidth = Math.max(0, ...e.steps.map((s) => String(s.line).length));
  const pad = ' '.repeat(lineWidth + 6);
  const hasSetup = e.steps.some((s) => s.setup);
  let part: string | undefined;
  for (const st of e.steps) {
    const now = st.setup ? 'setup' : 'scenario';
    if (hasSetup && now !== part) out.push(paint('dim', `  ${now}:`));
    part = now;
    const a = st.comparison.agree;
    const agrees = stepAgrees(a);
    const mark = agrees ? '  ' : paint('red', '✗ ');
    out.push(`${mark}${String(st.line).padStart(lineWidth)}  ${st.statement.padEnd(width)}  => ${observedResult(program, st.index, st.kernel)}`);
    if (!a.result || a.ready === false) out.push(`${pad}${paint('red', `model: => ${modelResultText(program, st.index, st.model)}`)}`);
    if (a.wire === false) {
      const k = st.kernel.wire.length ? printSegments(program.names, st.kernel.wire) : 'none';
      out.push(`${pad}${paint('red', `model: ~> ${modelWireText(program, st.model)}`)}  ${paint('dim', `(kernel ~> ${k})`)}`);
    }
    const shown = new Set<Reason>();
    for (const g of segmentReasons(e, st.index)) {
      const why = g.reason ? g.reason.text : g.rule !== undefined ? `by the model's rule ${g.rule}` : 'not predicted by the model';
      if (g.reason) shown.add(g.reason);
      out.push(`${pad}~> ${printSegments(program.names, g.segments)}: ${paint('dim', why)}`);
    }
    if (st.kernel.wireDropped) out.push(`${pad}~> (${st.kernel.wireDropped} more segments not kept)`);
    for (const r of st.model.why) {
      if (shown.has(r)) continue;
      out.push(`${pad}${paint('dim', `· ${sentence(st, r)}`)}`);
    }
    if (st.comparison.acksLanded) out.push(`${pad}${paint('dim', '· the delayed ACKs owed landed before this wait (their timer fired mid-run)')}`);
    if (options.state) {
      const lines = stateLines(st.model.state);
      out.push(`${pad}${paint('dim', `state: ${lines[0]}`)}`, ...lines.slice(1).map((l) => `${pad}${paint('dim', `       ${l}`)}`));
    }
  }
  if (e.error !== undefined) out.push(paint('red', `  the run stopped: ${e.error}`));
  const n = e.steps.length;
  if (e.disagreements) out.push(paint('red', `  model and kernel disagree on ${e.disagreements} of ${n} step${n === 1 ? '' : 's'}`));
  else if (e.error === undefined) out.push(paint('green', `  model and kernel agree on all ${n} step${n === 1 ? '' : 's'}`));
  return out.join('\n') + '\n';
}

/** A step of `epl explain --json`. */
export interface ExplainStepRecord {
  readonly line: number;
  readonly col: number;
  readonly statement: string;
  readonly setup: boolean;
  /** What the kernel answered: the return value or errno name, bytes read, the ready list, the segments (when captured). */
  readonly kernel: {
    readonly result: number | string;
    readonly bytes?: string;
    readonly ready?: readonly { readonly name: string; readonly events: string }[];
    readonly wire?: readonly { readonly src: string; readonly dst: string; readonly flags: string; readonly len: number }[];
  };
  /** What the model predicted (@epl/model's StepPrediction as JSON, without its state unless asked). */
  readonly model: Record<string, unknown>;
  /** `ready` null when the step is not a wait (or either side failed), `wire` null when the wire was not captured. */
  readonly agree: Agreement;
  /** Disagreements in words. */
  readonly differences?: readonly string[];
  /** The model's reasons, one sentence each. */
  readonly why: readonly string[];
}

/** One line of `epl explain --json`: a scenario run with one family. */
export interface ExplainRecord {
  readonly file: string;
  readonly title: string;
  readonly family: string;
  readonly kernel: string;
  readonly wire: { readonly captured: boolean; readonly reason?: string };
  /** Every step agrees and the run completed. */
  readonly agree: boolean;
  readonly disagreements: number;
  readonly error?: string;
  readonly steps: readonly ExplainStepRecord[];
}

/** A copy of `o` without `keys`. */
function without<T extends object, K extends keyof T>(o: T, keys: readonly K[]): Omit<T, K> {
  return Object.fromEntries(Object.entries(o).filter(([k]) => !(keys as readonly PropertyKey[]).includes(k))) as Omit<T, K>;
}

/** An answer of the model as its JSON gives it. */
interface OutcomeJson {
  readonly ret: number;
  readonly errno?: string;
  readonly bytes?: string;
  readonly range?: { readonly lo: number; readonly hi: number };
  readonly alt?: readonly OutcomeJson[];
}

/** The same as the kernel's side writes it: `result` is the return value or the errno name. */
function answerJson(o: OutcomeJson): Record<string, unknown> {
  return {
    result: o.errno ?? o.ret,
    ...(o.bytes !== undefined ? { bytes: o.bytes } : {}),
    ...(o.range ? { range: o.range } : {}),
    ...(o.alt ? { alt: o.alt.map((a) => answerJson(a)) } : {}),
  };
}

/** The JSON record of an explained scenario run; `state` adds the model's objects after each step to `model`. */
export function explainRecord(e: Explanation, options: { readonly state?: boolean } = {}): ExplainRecord {
  const { program, view } = e.scenario;
  const name = (slot: number) => program.names[slot] ?? `#${slot}`;
  const captured = view?.captured ?? false;
  const steps = e.steps.map((st): ExplainStepRecord => {
    const k = st.kernel;
    // The model's own JSON (names, flag words, errno names), its result written as the kernel's
    // is; it names the op, which the record's statement says, and the state only when asked.
    const json = JSON.parse(JSON.stringify(st.model)) as Record<string, unknown>;
    const model = { ...answerJson(json.result as OutcomeJson), ...without(json, ['op', 'result', 'state']), ...(options.state ? { state: json.state } : {}) };
    return {
      line: st.line,
      col: st.col,
      statement: st.statement,
      setup: st.setup,
      kernel: {
        result: k.errno ? errnoName(k.errno) : k.ret,
        ...(k.bytes ? { bytes: Buffer.from(k.bytes).toString('latin1') } : {}),
        ...(k.ready ? { ready: k.ready.map((r) => ({ name: name(r.slot), events: formatEpollFlags(r.events) })) } : {}),
        ...(captured ? { wire: k.wire.map((g) => ({ src: name(g.src), dst: name(g.dst), flags: formatTcpFlags(g.flags), len: g.len })) } : {}),
      },
      model,
      agree: st.comparison.agree,
      ...(st.comparison.differences.length ? { differences: st.comparison.differences } : {}),
      why: whySentences(st),
    };
  });
  return {
    file: e.scenario.file,
    title: program.title,
    family: e.scenario.family,
    kernel: view?.kernel ?? '',
    wire: view ? (captured ? { captured } : { captured, reason: view.captureReason }) : { captured: false, reason: 'the scenario has no results' },
    agree: e.agrees,
    disagreements: e.disagreements,
    ...(e.error !== undefined ? { error: e.error } : {}),
    steps,
  };
}

/**
 * The record the HTML, JUnit and TAP renderers read for an explained run (`oracle: 'model'`):
 * the run's own record (toRecord) with each step's `expect` and `wireExpect` holding the
 * model's answer (the kernel's answer where the model agrees with it: a range or one of several
 * answers the model allowed), `pass` saying whether model and kernel agree, and `why`.
 */
export function explainReportRecord(e: Explanation, source?: string): ScenarioRecord {
  const base = toRecord(e.scenario, source);
  const { program } = e.scenario;
  const captured = base.wire.captured;
  const steps = base.steps.map((s, i): StepRecord => {
    const st = e.steps[i] as ExplainedStep | undefined;
    // The file's own expectations make way for the model's.
    const own = without(s, ['expect', 'wireExpect', 'wireChecked']);
    if (!st) return own;
    const a = st.comparison.agree;
    const kernelWire = printSegments(program.names, st.kernel.wire);
    return {
      ...own,
      expect: a.result && a.ready !== false ? s.got : modelResultText(program, i, st.model),
      ...(captured ? { wireExpect: a.wire !== false ? kernelWire : modelWireText(program, st.model) } : {}),
      pass: stepAgrees(a),
      why: whySentences(st),
    };
  });
  const status = e.error !== undefined ? 'errored' : e.agrees ? 'passed' : 'failed';
  return { ...base, oracle: 'model', status, pass: e.agrees, steps, ...(e.error !== undefined ? { error: e.error } : {}) };
}
