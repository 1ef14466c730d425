// compare(): the model's prediction against what the kernel answered, step by step.
import { errnoName, formatEpollFlags, formatTcpFlags, OP_WORDS, Op } from '@epl/program';
import type { ProgramCode, RunResult, Segment, StepResult } from '@epl/program';
import type { Outcome } from './outcome';
import type { Prediction, StepPrediction } from './predict';
import { isBulk, PredictedSegment, Reason, WireItem } from './why';

/** The rules whose reasons say why a registration was not reported by a wait. */
const SILENT_RULES = new Set([
  'epoll.et-consumed',
  'epoll.oneshot-disarmed',
  'epoll.masked',
  'epoll.nothing',
  'epoll.file-closed',
  'epoll.dropped',
  'epoll.max-left',
]);

export interface Agreement {
  /** Return value or errno (and the bytes of a read) agree; a count the model gives as a range agrees when the kernel's is in it. */
  readonly result: boolean;
  /** `wait` only (null otherwise, or when either side failed): the ready lists agree as sets of (data, events). */
  readonly ready: boolean | null;
  /** The segments agree in order (null when the wire was not captured). Pure ACKs the model marks timing-dependent may be there or not. */
  readonly wire: boolean | null;
}

export interface StepComparison {
  readonly agree: Agreement;
  /** Kernel segments matched to a pure ACK the model says may land here or later (counted, not disagreements). */
  readonly timing: number;
  /** The model gave a range, not an exact answer, for this step's result. */
  readonly ranged: boolean;
  /** A wait whose answer was the model's `ifAcksLand` one: delayed ACKs landed before it (timing-dependent, not a disagreement). */
  readonly acksLanded: boolean;
  /** For a wait: the registrations it did not report, and why (as the model's reasons). */
  readonly silent: readonly Reason[];
  /** What differs, in words (empty when everything agrees). */
  readonly differences: readonly string[];
}

export interface Comparison {
  readonly steps: readonly StepComparison[];
  /** Steps where result and ready set both agree. */
  readonly agreeing: number;
  readonly total: number;
}

/** Compares a run of `program` on the kernel with the model's prediction for it. */
export function compare(program: ProgramCode & { readonly names: readonly string[] }, result: RunResult, prediction: Prediction): Comparison {
  const steps: StepComparison[] = [];
  let agreeing = 0;
  const n = Math.min(result.steps.length, prediction.steps.length);
  for (let i = 0; i < n; i++) {
    const c = compareStep(program, i, result.steps[i], prediction.steps[i], result.wire.captured);
    if (c.agree.result && c.agree.ready !== false) agreeing++;
    steps.push(c);
  }
  return { steps, agreeing, total: n };
}

/**
 * The first step before `end` where the kernel and the model disagree (as compare() judges it:
 * result, ready list, wire when captured), with its comparison; undefined when none does. Builds
 * nothing for a step that agrees: an oracle calls it on every run it sees.
 */
export function firstDisagreement(
  program: ProgramCode & { readonly names: readonly string[] },
  result: RunResult,
  prediction: Prediction,
  end = Infinity,
): { readonly step: number; readonly comparison: StepComparison } | undefined {
  const n = Math.min(end, result.steps.length, prediction.steps.length);
  const captured = result.wire.captured;
  for (let i = 0; i < n; i++) {
    const k = result.steps[i];
    const m = prediction.steps[i];
    if (agrees(program.code[i * OP_WORDS], k, m, captured)) continue;
    return { step: i, comparison: compareStep(program, i, k, m, captured) };
  }
  return undefined;
}

/** Whether a step agrees, decided as compareStep decides it, allocating nothing on the common paths. */
function agrees(op: number, k: StepResult, m: StepPrediction, captured: boolean): boolean {
  let ok = resultAgrees(op, k, m);
  if (ok && op === Op.wait && k.errno === 0 && m.result.errno === 0) ok = sameReadyFew(k.ready ?? NO_ENTRIES, m.ready ?? NO_ENTRIES);
  if (!ok) {
    const land = m.ifAcksLand;
    if (!land || !outcomeAgrees(op, k, land.result) || !sameReadyFew(k.ready ?? NO_ENTRIES, land.ready)) return false;
  }
  if (!captured || (k.wire.length === 0 && m.wire.length === 0)) return true;
  // Most steps: the segments the model is sure of, exactly.
  if (k.wire.length === m.wire.length) {
    let same = true;
    for (let j = 0; j < k.wire.length && same; j++) {
      const w = m.wire[j];
      same = !isBulk(w) && w.timing === 'now' && k.wire[j].src === w.src && k.wire[j].dst === w.dst && k.wire[j].flags === w.flags && k.wire[j].len === w.len;
    }
    if (same) return true;
  }
  return wireMatch(k.wire, m.wire, m.mayLand).ok;
}

const NO_ENTRIES: readonly never[] = [];

/** sameReady without a map for the short lists waits return (as multisets). */
function sameReadyFew(a: readonly { slot?: number; data?: number; events: number }[], b: readonly { data: number; events: number }[]): boolean {
  if (a.length !== b.length) return false;
  if (a.length > 8) return sameReady(a, b);
  let used = 0;
  for (const e of a) {
    const slot = e.slot ?? e.data ?? -1;
    let j = 0;
    while (j < b.length && ((used >> j) & 1 || b[j].data !== slot || b[j].events >>> 0 !== e.events >>> 0)) j++;
    if (j === b.length) return false;
    used |= 1 << j;
  }
  return true;
}

function compareStep(
  program: ProgramCode & { readonly names: readonly string[] },
  i: number,
  k: StepResult,
  m: StepPrediction,
  captured: boolean,
): StepComparison {
  const differences: string[] = [];
  const name = (slot: number): string => program.names[slot] ?? `#${slot}`;
  const op = program.code[i * OP_WORDS];
  let result = resultAgrees(op, k, m);
  let ready: boolean | null = null;
  if (op === Op.wait && k.errno === 0 && m.result.errno === 0) ready = sameReady(k.ready ?? [], m.ready ?? []);
  // The answer for delayed ACKs that landed first is the kernel's too (counted apart).
  const landed = (!result || ready === false) && !!m.ifAcksLand && outcomeAgrees(op, k, m.ifAcksLand.result) && sameReady(k.ready ?? [], m.ifAcksLand.ready);
  if (landed) {
    result = true;
    ready = ready === null ? null : true;
  }
  if (!result) differences.push(`result: kernel ${resultText(k)}, model ${modelText(m)}`);
  if (ready === false) differences.push(`ready: kernel ${readyText(k.ready ?? [], name)}, model ${readyText(m.ready ?? [], name)}`);
  let wire: boolean | null = null;
  let timing = 0;
  if (captured) {
    const w = wireMatch(k.wire, m.wire, m.mayLand);
    wire = w.ok;
    timing = w.timing;
    if (!w.ok) differences.push(`wire: kernel ${segText(k.wire, name)}, model ${wireText(m.wire, name)}`);
  }
  return {
    agree: { result, ready, wire },
    timing,
    ranged: m.result.range !== undefined,
    acksLanded: landed,
    silent: m.why.filter((r) => SILENT_RULES.has(r.rule)),
    differences,
  };
}

function resultAgrees(op: number, k: StepResult, m: StepPrediction): boolean {
  return outcomeAgrees(op, k, m.result) || (m.result.alt ?? []).some((a) => outcomeAgrees(op, k, a));
}

function outcomeAgrees(op: number, k: StepResult, r: Outcome): boolean {
  if (k.errno !== r.errno) return false;
  if (k.errno !== 0) return true;
  if (r.range) {
    if (k.ret < r.range.lo || k.ret > r.range.hi) return false;
  } else if (k.ret !== r.ret) return false;
  if ((op === Op.read || op === Op.drain) && r.bytes && k.bytes) {
    // drain keeps the first 64 KiB of what it read.
    const want = op === Op.drain ? r.bytes.subarray(0, k.bytes.length) : r.bytes;
    if (!sameBytes(want, k.bytes)) return false;
  }
  return true;
}

function sameBytes(a: Uint8Array, b: Uint8Array): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
}

function sameReady(a: readonly { slot?: number; data?: number; events: number }[], b: readonly { data: number; events: number }[]): boolean {
  if (a.length !== b.length) return false;
  const key = (slot: number, ev: number): string => `${slot}:${ev >>> 0}`;
  const count = new Map<string, number>();
  for (const e of a) {
    const k = key(e.slot ?? e.data ?? -1, e.events);
    count.set(k, (count.get(k) ?? 0) + 1);
  }
  for (const e of b) {
    const k = key(e.data, e.events);
    const c = count.get(k) ?? 0;
    if (c === 0) return false;
    count.set(k, c - 1);
  }
  return true;
}

/**
 * Matches the kernel's segments against the model's, in order: certain segments must be
 * there; a delayed pure ACK (and any ACK pending from earlier steps) may be there or not; a
 * bulk transfer takes a run of data segments one way and ACKs the other (the longest run that
 * lets the rest match).
 */
function wireMatch(kernel: readonly Segment[], model: readonly WireItem[], mayLand: readonly PredictedSegment[]): { ok: boolean; timing: number } {
  const fail = { ok: false, timing: 0 };
  const match = (mi: number, ki: number, used: readonly boolean[]): { ok: boolean; timing: number } => {
    let timing = 0;
    const taken = used.slice();
    const takeOptional = (s: Segment): boolean => {
      const i = mayLand.findIndex((o, j) => !taken[j] && o.src === s.src && o.dst === s.dst && s.flags === o.flags && s.len === 0);
      if (i < 0) return false;
      taken[i] = true;
      timing++;
      return true;
    };
    for (; mi < model.length; mi++) {
      const m = model[mi];
      if (isBulk(m)) {
        let end = ki;
        while (end < kernel.length && fitsBulk(kernel[end], m)) end++;
        for (let k = end; k >= ki; k--) {
          const rest = match(mi + 1, k, taken);
          if (rest.ok) return { ok: true, timing: timing + rest.timing };
        }
        return fail;
      }
      if (m.timing === 'delayed') {
        if (ki < kernel.length && same(kernel[ki], m)) {
          ki++;
          timing++;
        }
        continue;
      }
      while (ki < kernel.length && !same(kernel[ki], m) && takeOptional(kernel[ki])) ki++;
      if (ki >= kernel.length || !same(kernel[ki], m)) return fail;
      ki++;
    }
    while (ki < kernel.length && takeOptional(kernel[ki])) ki++;
    return ki === kernel.length ? { ok: true, timing } : fail;
  };
  return match(
    0,
    0,
    mayLand.map(() => false),
  );
}

/** A segment a bulk transfer may contain: data or ACKs either way (a FIN may close the data; URG in urgent mode), and RSTs back when the receiver refuses. */
function fitsBulk(s: Segment, b: { src: number; dst: number; rst?: boolean }): boolean {
  const forward = s.src === b.src && s.dst === b.dst;
  const back = s.src === b.dst && s.dst === b.src;
  if (b.rst && back && s.flags === RST) return true;
  const plain = (s.flags & ~(ACK | PSH | FIN | URG)) === 0;
  return plain && (forward || back);
}

const FIN = 0x01;
const RST = 0x04;
const PSH = 0x08;
const ACK = 0x10;
const URG = 0x20;

function same(k: Segment, m: PredictedSegment): boolean {
  return k.src === m.src && k.dst === m.dst && k.flags === m.flags && k.len === m.len;
}

function resultText(k: StepResult): string {
  if (k.errno) return errnoName(k.errno);
  if (k.bytes) return `${k.ret} ${JSON.stringify(Buffer.from(k.bytes.subarray(0, 16)).toString('latin1'))}`;
  return String(k.ret);
}

function modelText(m: StepPrediction): string {
  return [m.result, ...(m.result.alt ?? [])].map(outcomeText).join(' or ');
}

function outcomeText(r: Outcome): string {
  if (r.errno) return errnoName(r.errno);
  if (r.range) return `${r.range.lo}..${r.range.hi}`;
  if (r.bytes) return `${r.ret} ${JSON.stringify(Buffer.from(r.bytes.subarray(0, 16)).toString('latin1'))}`;
  return String(r.ret);
}

function readyText(list: readonly { slot?: number; data?: number; events: number }[], name: (s: number) => string): string {
  if (!list.length) return 'none';
  return list.map((e) => `${name(e.slot ?? e.data ?? -1)}: ${formatEpollFlags(e.events)}`).join(', ');
}

function segText(list: readonly Segment[], name: (s: number) => string): string {
  if (!list.length) return 'none';
  return list.map((s) => `${name(s.src)} > ${name(s.dst)} ${formatTcpFlags(s.flags)}${s.len ? ` len ${s.len}` : ''}`).join(', ');
}

function wireText(list: readonly WireItem[], name: (s: number) => string): string {
  if (!list.length) return 'none';
  return list
    .map((w) =>
      isBulk(w)
        ? `${name(w.src)} > ${name(w.dst)} bulk ${w.bytes.lo}..${w.bytes.hi}`
        : `${name(w.src)} > ${name(w.dst)} ${formatTcpFlags(w.flags)}${w.len ? ` len ${w.len}` : ''}${w.timing === 'delayed' ? ' (may land later)' : ''}`,
    )
    .join(', ');
}
