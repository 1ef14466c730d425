// A scenario's verdict: every `=>` and `~>` of its Program compared once, straight against the
// executor's result view (no decoding, no allocation per step). Only a failed step is decoded,
// into the Failure that says what came.
import { Op, OP_WORDS } from '@epl/program';
import type { Program, ReadyEntry, ResultExpect, StepResult, WireExpect } from '@epl/program';
import type { ResultView } from '@epl/executor';

/**
 * How a scenario ended:
 * - `passed`: it ran to its end and every expectation held;
 * - `failed`: it ran to its end and some expectation did not hold (`failures`);
 * - `errored`: the executor stopped it (`error`: the Program was refused, or a call it had to
 *   make failed); expectations before that were checked (`failures` may hold some);
 * - `lost`: there are no results (`error` says why: its worker died, it overran its time budget,
 *   the executor could not start).
 */
export type Status = 'passed' | 'failed' | 'errored' | 'lost';

/** How one expectation of one step fared. `none`: the step has no such expectation. */
export type StepVerdict = 'pass' | 'fail' | 'unchecked' | 'none';

/** One expectation that did not hold. */
export interface Failure {
  /** Op index in the Program. */
  readonly index: number;
  readonly file: string;
  readonly line: number;
  readonly col: number;
  /** Which expectation failed (the Program's step holds what was expected). */
  readonly kind: 'result' | 'wire';
  /** What the step observed; it outlives the results it was read from. */
  readonly got: StepResult;
}

export interface Outcome {
  readonly status: Status;
  readonly failures: readonly Failure[];
  /** Why the scenario errored, or why it was lost. */
  readonly error?: string;
  /** Steps that ran (fewer than the Program's after an error; 0 when lost). */
  readonly ran: number;
  /** Expectations compared (passed + failed). */
  readonly checked: number;
  readonly passed: number;
  /** `~>` expectations not compared because the wire was not captured (never a pass). */
  readonly wireUnchecked: number;
  /** Expectations of steps that never ran. */
  readonly notRun: number;
  readonly wireCaptured: boolean;
  /** The run had a network namespace of its own. */
  readonly netns: boolean;
  /** Why the wire was not captured, when it was not. */
  readonly captureReason?: string;
  /** What the run could not keep: bytes read past the run's limit, segments past a step's limit. */
  readonly truncated?: { readonly bytes: number; readonly segments: number };
}

const NO_FAILURES: readonly Failure[] = Object.freeze([]);

/** The ready list matches as a multiset: the same registration data twice must show twice. */
function sameReady(want: readonly ReadyEntry[], v: ResultView, i: number): boolean {
  const count = v.readyCount(i);
  if (want.length !== (count < 0 ? 0 : count)) return false;
  if (count > 30) {
    const key = (slot: number, events: number) => slot * 4294967296 + (events >>> 0);
    const a = want.map((e) => key(e.slot, e.events)).sort((x, y) => x - y);
    const b = Array.from({ length: count }, (_, k) => key(v.readySlot(i, k), v.readyEvents(i, k))).sort((x, y) => x - y);
    return a.every((x, k) => x === b[k]);
  }
  // Ready lists are short: match each wanted entry to an unused one, no allocation.
  let used = 0;
  for (const e of want) {
    const events = e.events >>> 0;
    let k = 0;
    for (; k < count; k++) if (!(used & (1 << k)) && v.readySlot(i, k) === e.slot && v.readyEvents(i, k) === events) break;
    if (k === count) return false;
    used |= 1 << k;
  }
  return true;
}

/** Whether step `i` of `v` satisfies a `=>`. `code` is the op's opcode. */
export function resultHolds(code: number, e: ResultExpect, v: ResultView, i: number): boolean {
  const errno = v.errno(i);
  switch (e.kind) {
    case 'ok':
      return errno === 0 && v.ret(i) === 0;
    case 'number':
      return errno === 0 && v.ret(i) === e.value;
    case 'errno':
      return errno === e.code;
    case 'bytes': {
      // A step that recorded no bytes compares as empty.
      const len = Math.max(0, v.bytesLength(i));
      if (errno !== 0 || len !== e.value.length) return false;
      for (let k = 0; k < len; k++) if (v.byteAt(i, k) !== e.value[k]) return false;
      return true;
    }
    case 'ready':
      return errno === 0 && sameReady(e.entries, v, i);
    case 'none':
      // `none` is the empty ready list of a wait; on any other op it cannot hold.
      return code === Op.wait && errno === 0 && v.readyCount(i) <= 0;
  }
}

/** Whether step `i`'s captured segments satisfy a `~>` (in order, every field exact). */
export function wireHolds(e: WireExpect, v: ResultView, i: number): boolean {
  const n = v.segCount(i);
  if (e.kind === 'none') return n === 0 && v.segDropped(i) === 0;
  if (e.segments.length !== n) return false;
  for (let k = 0; k < n; k++) {
    const s = e.segments[k];
    if (s.src !== v.seg(i, k, 0) || s.dst !== v.seg(i, k, 1) || s.flags !== v.seg(i, k, 2) || s.len !== v.seg(i, k, 3)) return false;
  }
  return v.segDropped(i) === 0;
}

/** Checks every expectation of `program` against its run. Pure: no I/O. */
export function check(program: Program, v: ResultView): Outcome {
  const steps = program.steps;
  const ran = Math.min(v.stepCount, steps.length);
  const captured = v.captured;
  let failures: Failure[] | undefined;
  let checked = 0;
  let passed = 0;
  let wireUnchecked = 0;
  let notRun = 0;
  let segments = 0;
  const fail = (i: number, kind: Failure['kind']) => {
    const span = steps[i].span;
    (failures ??= []).push({ index: i, file: program.file, line: span.line, col: span.col, kind, got: v.step(i) });
  };
  for (let i = 0; i < steps.length; i++) {
    const step = steps[i];
    if (i >= ran) {
      if (step.expect) notRun++;
      if (step.wire) notRun++;
      continue;
    }
    segments += v.segDropped(i);
    if (step.expect) {
      checked++;
      if (resultHolds(program.code[i * OP_WORDS], step.expect, v, i)) passed++;
      else fail(i, 'result');
    }
    if (step.wire) {
      if (!captured) wireUnchecked++;
      else {
        checked++;
        if (wireHolds(step.wire, v, i)) passed++;
        else fail(i, 'wire');
      }
    }
  }
  const error = v.error;
  const bytes = v.bytesDropped;
  const status: Status = error !== undefined ? 'errored' : failures ? 'failed' : 'passed';
  const reason = captured ? undefined : v.captureReason;
  return {
    status,
    failures: failures ?? NO_FAILURES,
    ...(error !== undefined ? { error } : {}),
    ran,
    checked,
    passed,
    wireUnchecked,
    notRun,
    wireCaptured: captured,
    netns: v.netns,
    ...(reason !== undefined ? { captureReason: reason } : {}),
    ...(bytes > 0 || segments > 0 ? { truncated: { bytes, segments } } : {}),
  };
}

/** The outcome of a scenario that has no results: `why` says what happened instead. */
export function lost(program: Program, why: string): Outcome {
  let notRun = 0;
  for (const s of program.steps) notRun += (s.expect ? 1 : 0) + (s.wire ? 1 : 0);
  return { status: 'lost', failures: NO_FAILURES, error: why, ran: 0, checked: 0, passed: 0, wireUnchecked: 0, notRun, wireCaptured: false, netns: false };
}

/** How each expectation of step `i` fared, from the outcome alone. */
export function stepVerdicts(program: Program, outcome: Outcome, i: number): { readonly result: StepVerdict; readonly wire: StepVerdict } {
  const step = program.steps[i];
  const failed = (kind: Failure['kind']) => outcome.failures.some((f) => f.index === i && f.kind === kind);
  const ran = i < outcome.ran;
  const result: StepVerdict = !step?.expect ? 'none' : !ran ? 'unchecked' : failed('result') ? 'fail' : 'pass';
  const wire: StepVerdict = !step?.wire ? 'none' : !ran || !outcome.wireCaptured ? 'unchecked' : failed('wire') ? 'fail' : 'pass';
  return { result, wire };
}
