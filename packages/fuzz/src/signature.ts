// Behaviour signatures (novelty without kernel coverage) and comparable views of step results
// (for the determinism and family oracles). Neither looks at real fd numbers.
import { OP_WORDS, Op, RunResult, StepResult, errnoName, formatEpollFlags, formatTcpFlags } from '@epl/program';
import type { Seq } from './seq';
import { specOf } from './seq';

/** How a result reads in a signature: the errno name, or 0 / 1 / n for a return value. */
export function resultClass(st: StepResult): string {
  if (st.errno) return errnoName(st.errno);
  return st.ret === 0 ? '0' : st.ret === 1 ? '1' : st.ret > 1 ? 'n' : String(st.ret);
}

/** The distinct event masks of a ready list, sorted: names are left out (they are the script's). */
export function readyFlagSets(st: StepResult): string {
  if (!st.ready) return '';
  if (st.ready.length === 0) return 'none';
  const masks = [...new Set(st.ready.map((e) => e.events >>> 0))].sort((a, b) => a - b);
  return masks.map(formatEpollFlags).join(',');
}

/** The distinct TCP flag combinations seen on the wire during a step, sorted. */
export function wireFlagSets(st: StepResult): string {
  if (!st.wire.length) return '';
  const flags = [...new Set(st.wire.map((s) => s.flags))].sort((a, b) => a - b);
  return flags.map(formatTcpFlags).join(',');
}

/**
 * A step's behaviour signature: op kind x result (errno or 0/1/n) x ready-flag sets x wire
 * flag sets, e.g. `wait 1 IN|OUT,OUT` or `write EPIPE` or `close 0 ~F.`.
 */
export function stepSignature(op: number, st: StepResult): string {
  let s = specOf(op).name + ' ' + resultClass(st);
  const r = readyFlagSets(st);
  if (r) s += ' ' + r;
  const w = wireFlagSets(st);
  if (w) s += ' ~' + w;
  return s;
}

/** Signatures of every step that ran. */
export function runSignatures(seq: Seq, r: RunResult): string[] {
  const out: string[] = [];
  for (let i = 0; i < r.steps.length; i++) out.push(stepSignature(seq.code[i * OP_WORDS], r.steps[i]));
  return out;
}

/** The set of every signature seen so far, with the generation index that first showed each. */
export class SignatureSet {
  private readonly seen = new Map<string, number>();

  get size(): number {
    return this.seen.size;
  }

  /** Adds the signatures; returns how many were new. */
  add(sigs: readonly string[], index: number): number {
    let fresh = 0;
    for (const s of sigs) {
      if (!this.seen.has(s)) {
        this.seen.set(s, index);
        fresh++;
      }
    }
    return fresh;
  }

  /** How many of these signatures were never seen (without adding them). */
  countNew(sigs: readonly string[]): number {
    let fresh = 0;
    const local = new Set<string>();
    for (const s of sigs) if (!this.seen.has(s) && !local.has(s)) (local.add(s), fresh++);
    return fresh;
  }

  has(sig: string): boolean {
    return this.seen.has(sig);
  }

  entries(): [string, number][] {
    return [...this.seen];
  }
}

/** The fields of a step result that the oracles compare. */
export const FIELDS = ['result', 'ready', 'bytes', 'wire'] as const;
export type Field = (typeof FIELDS)[number];

/** A step result as comparable text per field; fds are left out, ready lists are sets. */
export interface StepView {
  readonly result: string;
  readonly ready: string;
  readonly bytes: string;
  readonly wire: string;
}

function names(seq: Seq, slot: number): string {
  return seq.names[slot] ?? `#${slot}`;
}

function bytesText(b: Uint8Array): string {
  if (b.length <= 16) return JSON.stringify(Buffer.from(b).toString('latin1'));
  let h = 0x811c9dc5;
  for (const x of b) h = Math.imul(h ^ x, 0x01000193);
  return `${b.length} bytes #${(h >>> 0).toString(16)}`;
}

export function stepView(seq: Seq, st: StepResult): StepView {
  return {
    result: st.errno ? errnoName(st.errno) : String(st.ret),
    ready: st.ready ? (st.ready.length ? st.ready.map((e) => `${names(seq, e.slot)}: ${formatEpollFlags(e.events)}`).sort().join(', ') : 'none') : '',
    bytes: st.bytes ? bytesText(st.bytes) : '',
    wire: st.wire.map((s) => `${names(seq, s.src)} > ${names(seq, s.dst)} ${formatTcpFlags(s.flags)}${s.len ? ' len ' + s.len : ''}`).join(', '),
  };
}

/**
 * The same field with names, counts and bytes abstracted away, for deduplicating findings
 * across sequences: `IN|OUT` for a ready list, `EAGAIN` or `0/1/n` for a result.
 */
export function abstractField(field: Field, st: StepResult | undefined): string {
  if (!st) return 'missing';
  switch (field) {
    case 'result':
      return resultClass(st);
    case 'ready':
      return readyFlagSets(st) || '-';
    case 'bytes':
      return st.bytes ? (st.bytes.length === 0 ? 'eof' : st.bytes.length === 1 ? '1 byte' : 'bytes') : '-';
    case 'wire':
      return wireFlagSets(st) || 'none';
  }
}

/** Views of every step of a run. */
export function runViews(seq: Seq, r: RunResult): StepView[] {
  return r.steps.map((st) => stepView(seq, st));
}

/** The first field in which two views differ (wire only when `wire` is true), or undefined. */
export function firstFieldDiff(a: StepView, b: StepView, wire: boolean): Field | undefined {
  if (a.result !== b.result) return 'result';
  if (a.ready !== b.ready) return 'ready';
  if (a.bytes !== b.bytes) return 'bytes';
  if (wire && a.wire !== b.wire) return 'wire';
  return undefined;
}

/** The op code of step i. */
export function opAt(seq: Seq, i: number): number {
  return seq.code[i * OP_WORDS];
}

/** True for a `wait` step (ready lists are only compared there). */
export function isWait(seq: Seq, i: number): boolean {
  return opAt(seq, i) === Op.wait;
}
