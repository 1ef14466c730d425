// The JSON record of one scenario run (one line of `epl run --json`, README "JSON records"),
// and the steps where families (or kernels) disagree.
import { release } from 'node:os';
import { printResult, printStatement, printWire } from '@epl/compiler';
import { stepVerdicts, type Status } from '@epl/check';
import { OPS, errnoName, formatEpollFlags, formatTcpFlags, word } from '@epl/program';
import type { Family, Program, StepResult, WireStatus } from '@epl/program';
import type { ResultView } from '@epl/executor';
import { observedResult, observedWire } from './observed';
import { failureTexts, scenarioText, type Scenario } from './scenario';

/** The JSON record of one step. */
export interface StepRecord {
  readonly line: number;
  readonly col: number;
  /** The statement as written (keyword to last operand). */
  readonly op: string;
  /** A step of the file's setup (run before every scenario). */
  readonly setup: boolean;
  /** The return value, or the errno name when the call failed. */
  readonly result: number | string;
  /** Real descriptor numbers bound by the step, by name. */
  readonly fds: Record<string, number>;
  /** Bytes read, one char per byte (latin1). */
  readonly bytes?: string;
  readonly ready?: { readonly name: string; readonly events: string }[];
  readonly wire?: { readonly src: string; readonly dst: string; readonly flags: string; readonly len: number }[];
  /** What came, in EPL syntax (as `record` would write it after `=>`). */
  readonly got: string;
  readonly expect?: string;
  readonly wireExpect?: string;
  /** `~>` was present but the wire was not captured. */
  readonly wireChecked?: false;
  readonly pass: boolean;
  /** `epl explain`: the model's reasons for the step, one sentence each. */
  readonly why?: readonly string[];
}

/** The JSON record of one scenario run. */
export interface ScenarioRecord {
  readonly file: string;
  readonly title: string;
  readonly family: Family;
  readonly kernel: string;
  readonly netns: boolean;
  readonly wire: WireStatus;
  readonly status: Status;
  readonly pass: boolean;
  /** The Program's names, in slot order (the columns of a timeline). */
  readonly names: readonly string[];
  /** Runs made (more than 1 only with retries). */
  readonly attempts: number;
  /** Present when the scenario passed after failing. */
  readonly flaky?: { readonly attempts: number; readonly firstFailure: string };
  /** Why it errored or was lost. */
  readonly error?: string;
  /** What the run could not keep. */
  readonly truncated?: { readonly bytes: number; readonly segments: number };
  /** Whose answers the steps' `expect` and `wireExpect` are: absent for the file's own, `model` in `epl explain`'s records. */
  readonly oracle?: 'model';
  readonly steps: readonly StepRecord[];
}

/** The statement text of op `i`: from the source when known, else printed from the op. */
export function stepText(program: Program, i: number, source?: string): string {
  const span = program.steps[i]?.span;
  if (source !== undefined && span && span.end > span.offset) return source.slice(span.offset, span.end);
  return printStatement(program, i, program.names);
}

function fdsOf(program: Program, i: number, r: StepResult): Record<string, number> {
  const spec = OPS.find((o) => o.code === word(program, i, 0));
  const out: Record<string, number> = {};
  if (!spec) return out;
  let k = 0;
  spec.operands.forEach((kind, j) => {
    if (kind !== 'bind' && kind !== 'rebind') return;
    const fd = r.fds[k++];
    if (fd !== undefined && fd >= 0) out[program.names[word(program, i, j + 1)] ?? `#${j}`] = fd;
  });
  return out;
}

function stepRecord(s: Scenario, view: ResultView, i: number, source?: string): StepRecord {
  const { program, outcome } = s;
  const step = program.steps[i];
  const r = view.step(i);
  const verdict = stepVerdicts(program, outcome, i);
  const name = (slot: number) => program.names[slot] ?? `#${slot}`;
  const rec: Record<string, unknown> = {
    line: step?.span.line ?? 0,
    col: step?.span.col ?? 0,
    op: stepText(program, i, source),
    setup: step?.setup ?? false,
    result: r.errno !== 0 ? errnoName(r.errno) : r.ret,
    fds: fdsOf(program, i, r),
  };
  if (r.bytes) rec.bytes = Buffer.from(r.bytes).toString('latin1');
  if (r.ready) rec.ready = r.ready.map((e) => ({ name: name(e.slot), events: formatEpollFlags(e.events) }));
  if (view.captured) rec.wire = r.wire.map((g) => ({ src: name(g.src), dst: name(g.dst), flags: formatTcpFlags(g.flags), len: g.len }));
  rec.got = observedResult(program, i, r, step?.expect);
  if (step?.expect) rec.expect = printResult(program.names, step.expect);
  if (step?.wire) rec.wireExpect = printWire(program.names, step.wire);
  if (verdict.wire === 'unchecked') rec.wireChecked = false;
  rec.pass = verdict.result !== 'fail' && verdict.wire !== 'fail';
  return rec as unknown as StepRecord;
}

/** The JSON record of a scenario run (its steps when the run kept its results). */
export function toRecord(s: Scenario, source?: string): ScenarioRecord {
  const { program, outcome, view } = s;
  const steps = view ? Array.from({ length: Math.min(view.stepCount, program.steps.length) }, (_, i) => stepRecord(s, view, i, source)) : [];
  const first = s.flaky ? scenarioText({ ...s, outcome: s.flaky.first.outcome, view: s.flaky.first.view, attempts: 1 }, source) : undefined;
  return {
    file: s.file,
    title: program.title,
    family: s.family,
    kernel: view?.kernel ?? release(),
    netns: view?.netns ?? false,
    wire: view
      ? view.captured
        ? { captured: true }
        : { captured: false, reason: view.captureReason }
      : { captured: false, reason: 'the scenario has no results' },
    status: outcome.status,
    pass: outcome.status === 'passed',
    names: program.names,
    attempts: s.attempts,
    ...(s.flaky && first !== undefined ? { flaky: { attempts: s.flaky.attempts, firstFailure: first } } : {}),
    ...(outcome.error !== undefined ? { error: outcome.error } : {}),
    ...(outcome.truncated ? { truncated: outcome.truncated } : {}),
    steps,
  };
}

/** One step where families disagree: what each family observed (result, then wire). */
export interface FamilyDifference {
  readonly file: string;
  readonly title: string;
  readonly line: number;
  readonly col: number;
  readonly op: string;
  readonly observed: Partial<Record<Family, string>>;
}

function observedText(s: Scenario, i: number): string {
  const v = s.view;
  if (!v || i >= v.stepCount) return s.outcome.status === 'lost' ? '(lost)' : '(not run)';
  const r = v.step(i);
  const res = observedResult(s.program, i, r);
  return v.captured ? `${res} ~> ${observedWire(s.program, r)}` : res;
}

/** The steps whose observations differ between the families a scenario ran with (their results kept). */
export function familyDifferences(scenarios: readonly Scenario[], sources?: ReadonlyMap<string, string>): FamilyDifference[] {
  const groups = new Map<string, Scenario[]>();
  for (const s of scenarios) {
    const key = `${s.file}\0${s.program.index}`;
    const g = groups.get(key);
    if (g) g.push(s);
    else groups.set(key, [s]);
  }
  const out: FamilyDifference[] = [];
  // A setup step runs in every scenario of its file: show each of its differences once.
  const shown = new Set<string>();
  for (const g of groups.values()) {
    if (g.length < 2) continue;
    const first = g[0];
    for (let i = 0; i < first.program.steps.length; i++) {
      const seen = g.map((s) => observedText(s, i));
      if (seen.every((v) => v === seen[0])) continue;
      const observed: Partial<Record<Family, string>> = {};
      g.forEach((s, k) => (observed[s.family] = seen[k]));
      const span = first.program.steps[i].span;
      const key = `${first.file}\0${span.offset}\0${span.line}\0${seen.join('\0')}`;
      if (shown.has(key)) continue;
      shown.add(key);
      out.push({
        file: first.file,
        title: first.program.title,
        line: span.line,
        col: span.col,
        op: stepText(first.program, i, sources?.get(first.file)),
        observed,
      });
    }
  }
  return out;
}

/** Each failure of a scenario as data with its texts (what the jest runner puts in `details`). */
export function failureSummaries(s: Scenario): { file: string; line: number; col: number; kind: 'result' | 'wire'; expected: string; got: string }[] {
  return s.outcome.failures.map((f) => ({ file: f.file, line: f.line, col: f.col, kind: f.kind, ...failureTexts(s.program, f) }));
}
