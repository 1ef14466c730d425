// Behaviour signatures (novelty without kernel coverage) and comparable views of step results
// (for the determinism and family oracles). Neither looks at real fd numbers.
import { OP_WORDS, ReadyEntry, RunResult, StepResult, errnoName, formatEpollFlags, formatTcpFlags } from '@epl/program';
import { createHash } from 'node:crypto';

// Module-level copies: an imported binding is a getter on every use, and these are hot loops.
const WORDS = OP_WORDS;
import type { Seq } from './seq';
import { specOf } from './seq';

/** How a result reads in a signature: the errno name, or 0 / 1 / n for a return value. */
export function resultClass(st: StepResult): string {
  if (st.errno) return errnoName(st.errno);
  return st.ret === 0 ? '0' : st.ret === 1 ? '1' : st.ret > 1 ? 'n' : String(st.ret);
}

/** The distinct event masks of a ready list, sorted: names are left out (they are the script's). */
export function readyFlagSets(st: StepResult): string {
  if (!st.ready || st.errno) return '';
  if (st.ready.length === 0) return 'none';
  const masks = [...new Set(st.ready.map((e) => e.events >>> 0))].sort((a, b) => a - b);
  return masks.map(formatEpollFlags).join(',');
}

/** A bare ACK (no payload, no other flag): delayed ACKs land in whichever step runs when their timer fires. */
export function isBareAck(s: { readonly flags: number; readonly len: number }): boolean {
  return s.flags === 0x10 && s.len === 0;
}

/** The distinct TCP flag combinations seen on the wire during a step, sorted. */
export function wireFlagSets(st: StepResult): string {
  if (!st.wire.length) return '';
  const flags = [...new Set(st.wire.map((s) => s.flags))].sort((a, b) => a - b);
  return flags.map(formatTcpFlags).join(',');
}

/** The same without bare ACKs: the wire part of a signature, so novelty does not follow ACK timing. */
export function signatureWireFlags(st: StepResult): string {
  const flags = [...new Set(st.wire.filter((s) => !isBareAck(s)).map((s) => s.flags))].sort((a, b) => a - b);
  return flags.map(formatTcpFlags).join(',');
}

/**
 * A step's behaviour signature: op kind x result (errno or 0/1/n) x ready-flag sets x wire
 * flag sets (bare ACKs left out), e.g. `wait 1 IN|OUT,OUT` or `write EPIPE` or `close 0 ~F.`.
 */
export function stepSignature(op: number, st: StepResult): string {
  let s = specOf(op).name + ' ' + resultClass(st);
  const r = readyFlagSets(st);
  if (r) s += ' ' + r;
  const w = signatureWireFlags(st);
  if (w) s += ' ~' + w;
  return s;
}

/** Signatures of every step that ran. */
export function runSignatures(seq: Seq, r: RunResult): string[] {
  const out: string[] = [];
  const n = Math.min(r.steps.length, seq.code.length / WORDS);
  for (let i = 0; i < n; i++) out.push(stepSignature(seq.code[i * WORDS], r.steps[i]));
  return out;
}

function mix(h: number, x: number): number {
  h = Math.imul(h ^ x, 0x5bd1e995);
  return (h ^ (h >>> 15)) >>> 0;
}

/**
 * The signature of a step as a number (52 bits from two independent 26-bit hashes): the same
 * parts as stepSignature, hashed without building text, since every step of every run is
 * looked up. Sets (ready masks, wire flags) are combined order-independently.
 */
export function stepSignatureKey(op: number, st: StepResult): number {
  const cls = st.errno ? 1000 + st.errno : st.ret <= 1 ? st.ret : 2;
  let a = mix(mix(0x9747b28c, op), cls);
  let b = mix(mix(0x2f1a3e5d, op), cls);
  if (st.ready && !st.errno) {
    let sa = 0x51;
    let sb = 0x73;
    const seen: number[] = [];
    for (const e of st.ready) {
      const m = e.events >>> 0;
      if (seen.includes(m)) continue;
      seen.push(m);
      sa = (sa + mix(0x1234567, m)) >>> 0;
      sb = (sb + mix(0x7654321, m)) >>> 0;
    }
    a = mix(a, sa);
    b = mix(b, sb);
  }
  if (st.wire.length) {
    const seen: number[] = [];
    let sa = 0x99;
    let sb = 0x37;
    for (const x of st.wire) {
      if (isBareAck(x) || seen.includes(x.flags)) continue;
      seen.push(x.flags);
      sa = (sa + mix(0xabcdef1, x.flags)) >>> 0;
      sb = (sb + mix(0x1fedcba, x.flags)) >>> 0;
    }
    if (seen.length) {
      a = mix(a, sa);
      b = mix(b, sb);
    }
  }
  return (a & 0x3ffffff) * 0x4000000 + (b & 0x3ffffff);
}

/** The set of every signature seen so far, with the generation index that first showed each. */
export class SignatureSet {
  private readonly seen = new Map<number, number>();
  private readonly text = new Map<number, string>();

  get size(): number {
    return this.seen.size;
  }

  /** How many steps of a run show a signature never seen (without adding them). */
  countNewInRun(seq: Seq, r: RunResult): number {
    let fresh = 0;
    let local: number[] | undefined;
    // A run never has more steps than its Program; if one did, robustness says so, not a crash here.
    const n = Math.min(r.steps.length, seq.code.length / WORDS);
    for (let i = 0; i < n; i++) {
      const k = stepSignatureKey(seq.code[i * WORDS], r.steps[i]);
      if (this.seen.has(k) || local?.includes(k)) continue;
      (local ??= []).push(k);
      fresh++;
    }
    return fresh;
  }

  /** Adds the signatures of a run; returns the new ones as text. */
  addRun(seq: Seq, r: RunResult, index: number): string[] {
    const out: string[] = [];
    const n = Math.min(r.steps.length, seq.code.length / WORDS);
    for (let i = 0; i < n; i++) {
      const op = seq.code[i * WORDS];
      const k = stepSignatureKey(op, r.steps[i]);
      if (this.seen.has(k)) continue;
      const t = stepSignature(op, r.steps[i]);
      this.seen.set(k, index);
      this.text.set(k, t);
      out.push(t);
    }
    return out;
  }

  /** Every signature as text with the generation index that first showed it. */
  entries(): [string, number][] {
    return [...this.seen].map(([k, i]) => [this.text.get(k)!, i]);
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
  const buf = Buffer.from(b.buffer, b.byteOffset, b.length);
  if (b.length <= 16) return JSON.stringify(buf.toString('latin1'));
  // A read brings up to 1 MiB: a native hash, not a JS loop over every byte.
  return `${b.length} bytes #${createHash('md5').update(buf).digest('hex').slice(0, 12)}`;
}

export function stepView(seq: Seq, st: StepResult): StepView {
  return {
    result: st.errno ? errnoName(st.errno) : String(st.ret),
    ready: st.ready
      ? st.ready.length
        ? st.ready
            .map((e) => `${names(seq, e.slot)}: ${formatEpollFlags(e.events)}`)
            .sort()
            .join(', ')
        : 'none'
      : '',
    bytes: st.bytes ? bytesText(st.bytes) : '',
    wire: st.wire.map((s) => `${names(seq, s.src)} > ${names(seq, s.dst)} ${formatTcpFlags(s.flags)}${s.len ? ` len ${s.len}` : ''}`).join(', '),
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

/** Byte counts above this are bulk: how much fits in a buffer, or goes in one segment, depends on the family. */
export const BULK = 4096;

/**
 * The view two families are compared on: like stepView, but bulk counts (fill, drain, big
 * writes; buffer sizes differ with the MSS) read `bulk`, and a step that moved bulk data
 * keeps only its wire flags (segmentation differs with the MSS too).
 */
export function familyView(seq: Seq, st: StepResult): StepView {
  const v = stepView(seq, st);
  const bulkWire = st.wire.some((x) => x.len > 1024);
  return {
    result: !st.errno && st.ret > BULK ? 'bulk' : v.result,
    ready: v.ready,
    bytes: st.bytes && st.bytes.length > BULK ? 'bulk' : v.bytes,
    wire: bulkWire ? `bulk ${wireFlagSets(st)}` : v.wire,
  };
}

/** At most `n` characters, for one-line messages. */
export function clip(text: string, n = 160): string {
  return text.length <= n ? text : text.slice(0, n - 1) + '…';
}

/** Views of every step of a run. */
export function runViews(seq: Seq, r: RunResult): StepView[] {
  return r.steps.map((st) => stepView(seq, st));
}

function sameReady(a: readonly ReadyEntry[] | undefined, b: readonly ReadyEntry[] | undefined): boolean {
  if (!a || !b) return a === b || (!a?.length && !b?.length);
  if (a.length !== b.length) return false;
  if (a.length === 1) return a[0].slot === b[0].slot && a[0].events >>> 0 === b[0].events >>> 0;
  // As sets (multisets): sorted keys.
  const key = (e: ReadyEntry) => e.slot * 4294967296 + (e.events >>> 0);
  const x = a.map(key).sort((p, q) => p - q);
  const y = b.map(key).sort((p, q) => p - q);
  for (let i = 0; i < x.length; i++) if (x[i] !== y[i]) return false;
  return true;
}

function sameBytes(a: Uint8Array | undefined, b: Uint8Array | undefined, bulk: boolean): boolean {
  if (!a || !b) return a === b;
  if (bulk && a.length > BULK && b.length > BULK) return true;
  if (a.length !== b.length) return false;
  return Buffer.from(a.buffer, a.byteOffset, a.length).equals(Buffer.from(b.buffer, b.byteOffset, b.length));
}

function sameWire(a: StepResult, b: StepResult, bulk: boolean): boolean {
  if (bulk) {
    const ba = a.wire.some((x) => x.len > 1024);
    const bb = b.wire.some((x) => x.len > 1024);
    if (ba || bb) return ba === bb && wireFlagSets(a) === wireFlagSets(b);
  }
  if (a.wire.length !== b.wire.length) return false;
  for (let i = 0; i < a.wire.length; i++) {
    const x = a.wire[i];
    const y = b.wire[i];
    if (x.src !== y.src || x.dst !== y.dst || x.flags !== y.flags || x.len !== y.len) return false;
  }
  return true;
}

/**
 * The first field in which two step results differ, compared without building text (every
 * re-run of every looked-at sequence goes through here): what stepView (or, with `bulk`,
 * familyView) would show different, or undefined.
 */
export function stepDiff(a: StepResult | undefined, b: StepResult | undefined, wire: boolean, bulk: boolean): Field | undefined {
  if (!a || !b) return a === b ? undefined : 'result';
  if (a.errno !== b.errno) return 'result';
  if (!a.errno && a.ret !== b.ret && !(bulk && a.ret > BULK && b.ret > BULK)) return 'result';
  if (!sameReady(a.ready, b.ready)) return 'ready';
  if (!sameBytes(a.bytes, b.bytes, bulk)) return 'bytes';
  if (wire && !sameWire(a, b, bulk)) return 'wire';
  return undefined;
}
