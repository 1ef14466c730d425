// Compares what a run observed with every `=>` and `~>` of its Program.
import { Op, word } from '@epl/program';
import type { Program, ReadyEntry, ResultExpect, RunResult, StepResult, WireExpect } from '@epl/program';
import { BatchResult } from './batch';
import { checkRaw } from './check-raw';
import { formatExpect, formatObserved, formatWire, formatWireExpect } from './render';

/** How one expectation of one step fared. `none`: the step has no such expectation. */
export type Verdict = 'pass' | 'fail' | 'unchecked' | 'none';

export interface StepCheck {
  /** Op index in the Program. */
  readonly index: number;
  /** The `=>` (`unchecked` when the step did not run). */
  readonly result: Verdict;
  /** The `~>` (`unchecked` when the wire was not captured or the step did not run). */
  readonly wire: Verdict;
}

export interface Failure {
  /** Op index in the Program. */
  readonly index: number;
  readonly file: string;
  readonly line: number;
  readonly col: number;
  /** Which expectation failed. */
  readonly kind: 'result' | 'wire';
  /** The expectation and the observation, in EPL syntax (paste-able after `=>` / `~>`). */
  readonly expected: string;
  readonly got: string;
}

export interface CheckResult {
  /** No expectation failed and the run had no error. */
  readonly pass: boolean;
  /** The run's error (malformed Program, crashed or stuck worker). */
  readonly error?: string;
  /** One per op of the Program. */
  readonly steps: readonly StepCheck[];
  readonly failures: readonly Failure[];
  /** Expectations compared (passed + failed). */
  readonly checked: number;
  readonly passed: number;
  /** Wire expectations not compared because the wire was not captured. */
  readonly wireUnchecked: number;
  /** Whether the run captured the wire (read here, a pass's result is never decoded to tell). */
  readonly wireCaptured: boolean;
  /** Expectations of steps that never ran (after an error). */
  readonly notRun: number;
}

function sameReady(want: readonly ReadyEntry[], got: readonly ReadyEntry[]): boolean {
  // Compared as sets (a multiset, strictly: the same registration data twice must show twice).
  if (want.length !== got.length) return false;
  if (want.length > 30) {
    const key = (e: ReadyEntry) => e.slot * 4294967296 + (e.events >>> 0);
    const a = want.map(key).sort((x, y) => x - y);
    const b = got.map(key).sort((x, y) => x - y);
    return a.every((v, i) => v === b[i]);
  }
  // Ready lists are short: match each wanted entry to an unused one, no allocation (this runs
  // for every wait of every scenario on the caller's thread).
  let used = 0;
  for (const w of want) {
    let j = 0;
    for (; j < got.length; j++) {
      if (!(used & (1 << j)) && got[j].slot === w.slot && got[j].events >>> 0 === w.events >>> 0) break;
    }
    if (j === got.length) return false;
    used |= 1 << j;
  }
  return true;
}

function sameBytes(a: Uint8Array, b: Uint8Array): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
}

/** Whether a step's result satisfies a `=>`. */
export function resultMatches(code: number, e: ResultExpect, r: StepResult): boolean {
  switch (e.kind) {
    case 'ok':
      return r.errno === 0 && r.ret === 0;
    case 'number':
      return r.errno === 0 && r.ret === e.value;
    case 'errno':
      return r.errno === e.code;
    case 'bytes':
      return r.errno === 0 && sameBytes(e.value, r.bytes ?? new Uint8Array(0));
    case 'ready':
      return r.errno === 0 && sameReady(e.entries, r.ready ?? []);
    case 'none':
      // `none` is the empty ready list of a wait; on any other op it cannot hold.
      return code === Op.wait && r.errno === 0 && (r.ready?.length ?? 0) === 0;
  }
}

/** Whether a step's captured segments satisfy a `~>` (segments in order, every field exact). */
export function wireMatches(e: WireExpect, r: StepResult): boolean {
  if (e.kind === 'none') return r.wire.length === 0;
  if (e.segments.length !== r.wire.length) return false;
  return e.segments.every((s, i) => {
    const g = r.wire[i];
    return s.src === g.src && s.dst === g.dst && s.flags === g.flags && s.len === g.len;
  });
}

/** Checks every expectation of `program` against `result`. Pure: no I/O. */
export function check(program: Program, result: RunResult): CheckResult {
  const steps: StepCheck[] = [];
  const failures: Failure[] = [];
  let checked = 0;
  let passed = 0;
  let wireUnchecked = 0;
  let notRun = 0;
  for (let i = 0; i < program.steps.length; i++) {
    const step = program.steps[i];
    const r = result.steps[i] as StepResult | undefined;
    let rv: Verdict = 'none';
    let wv: Verdict = 'none';
    const code = word(program, i, 0);
    if (step.expect) {
      if (!r) {
        rv = 'unchecked';
        notRun++;
      } else {
        checked++;
        if (resultMatches(code, step.expect, r)) {
          rv = 'pass';
          passed++;
        } else {
          rv = 'fail';
          failures.push({
            index: i,
            file: program.file,
            line: step.span.line,
            col: step.span.col,
            kind: 'result',
            expected: formatExpect(program, step.expect),
            got: formatObserved(program, i, r, step.expect),
          });
        }
      }
    }
    if (step.wire) {
      if (!r) {
        wv = 'unchecked';
        notRun++;
      } else if (!result.wire.captured) {
        // Never a pass: the report counts these apart and says why.
        wv = 'unchecked';
        wireUnchecked++;
      } else {
        checked++;
        if (wireMatches(step.wire, r)) {
          wv = 'pass';
          passed++;
        } else {
          wv = 'fail';
          failures.push({
            index: i,
            file: program.file,
            line: step.span.line,
            col: step.span.col,
            kind: 'wire',
            expected: formatWireExpect(program, step.wire),
            got: formatWire(program, r.wire),
          });
        }
      }
    }
    steps.push({ index: i, result: rv, wire: wv });
  }
  const out: CheckResult = {
    pass: failures.length === 0 && result.error === undefined,
    steps,
    failures,
    checked,
    passed,
    wireUnchecked,
    wireCaptured: result.wire.captured,
    notRun,
  };
  return result.error !== undefined ? { ...out, error: result.error } : out;
}

/**
 * `check` of a pool's outcome: against its raw results buffer when it has one (a pass costs no
 * decoding, no allocation per step), decoding `result` only when something did not pass.
 * The verdict is always `check(program, outcome.result)`'s.
 */
export function checkOutcome(program: Program, outcome: { readonly result: RunResult; readonly raw?: Uint8Array }): CheckResult {
  let quick: CheckResult | undefined;
  if (outcome instanceof BatchResult) quick = outcome.checkRaw(program);
  else if (outcome.raw !== undefined) quick = checkRaw(program, outcome.raw);
  return quick ?? check(program, outcome.result);
}
