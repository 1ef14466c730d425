// A fuzz sequence: a ProgramCode plus the names of its slots. Generated as words directly
// (cheap); decoded to ops with textual names only for mutation and shrinking, where the
// language's naming rules are re-applied by `repair` so every result still compiles.
import { LIMITS, OP_WORDS, OPS, Op, OpSpec, Program, ProgramCode, Span, Step, opSpec } from '@epl/program';

export interface Seq extends ProgramCode {
  /** Name of each slot as it prints (`"5"`). */
  readonly names: readonly string[];
}

/** One op with its operands in OPS order: names (strings) for slot kinds, bytes for `str`, numbers otherwise. */
export interface SeqOp {
  readonly code: number;
  readonly operands: readonly (string | number | Uint8Array)[];
}

const specs: OpSpec[] = [];
for (const o of OPS) specs[o.code] = o;

export function specOf(code: number): OpSpec {
  const s = specs[code];
  if (!s) throw new Error(`unknown opcode ${code}`);
  return s;
}

export function seqLength(s: ProgramCode): number {
  return s.code.length / OP_WORDS;
}

/** The ops of a sequence, names as text. */
export function decode(s: Seq): SeqOp[] {
  const out: SeqOp[] = [];
  const n = seqLength(s);
  for (let i = 0; i < n; i++) {
    const base = i * OP_WORDS;
    const spec = specOf(s.code[base]);
    const operands: (string | number | Uint8Array)[] = [];
    let w = base + 1;
    for (const kind of spec.operands) {
      switch (kind) {
        case 'bind':
        case 'rebind':
        case 'use':
        case 'data':
          operands.push(s.names[s.code[w++]]);
          break;
        case 'str': {
          const off = s.code[w++];
          const len = s.code[w++];
          operands.push(s.strings.slice(off, off + len));
          break;
        }
        default:
          operands.push(s.code[w++]);
      }
    }
    out.push({ code: spec.code, operands });
  }
  return out;
}

/** Lay ops out as a sequence; slots are allocated by first appearance, as the compiler does. */
export function encode(ops: readonly SeqOp[]): Seq {
  const code = new Int32Array(ops.length * OP_WORDS);
  const slots = new Map<string, number>();
  const names: string[] = [];
  let strLen = 0;
  for (const o of ops) for (const v of o.operands) if (v instanceof Uint8Array) strLen += v.length;
  const strings = new Uint8Array(strLen);
  let strOff = 0;
  ops.forEach((o, i) => {
    const spec = specOf(o.code);
    let w = i * OP_WORDS;
    code[w++] = o.code;
    spec.operands.forEach((kind, j) => {
      const v = o.operands[j];
      switch (kind) {
        case 'bind':
        case 'rebind':
        case 'use':
        case 'data': {
          const name = v as string;
          let s = slots.get(name);
          if (s === undefined) {
            s = names.length;
            slots.set(name, s);
            names.push(name);
          }
          code[w++] = s;
          break;
        }
        case 'str': {
          const b = v as Uint8Array;
          strings.set(b, strOff);
          code[w++] = strOff;
          code[w++] = b.length;
          strOff += b.length;
          break;
        }
        default:
          code[w++] = v as number;
      }
    });
  });
  return { code, strings, slotCount: names.length, names };
}

const NAME_UNBOUND = 0;
const NAME_OPEN = 1;
const NAME_CLOSED = 2;

/**
 * Apply the language's naming rules in order, dropping ops that break them: a name is used
 * only after it was bound, a creating op never binds an open name, dup2's target already has
 * a number. `connect` / `connect_new` are switched to what the compiler would pick for the
 * state of `A` (open: connect; otherwise connect_new). Also enforces LIMITS on ops, names and
 * string bytes. Returns the ops kept (new objects only where changed).
 */
export function repair(ops: readonly SeqOp[]): SeqOp[] {
  const state = new Map<string, number>();
  const out: SeqOp[] = [];
  let strBytes = 0;
  for (let o of ops) {
    if (out.length >= LIMITS.maxOps) break;
    if (o.code === Op.connect_new || o.code === Op.connect) {
      const a = o.operands[0] as string;
      const want = state.get(a) === NAME_OPEN ? Op.connect : Op.connect_new;
      if (want !== o.code) o = { code: want, operands: o.operands };
    }
    const spec = specOf(o.code);
    let ok = true;
    const binds: string[] = [];
    spec.operands.forEach((kind, j) => {
      const v = o.operands[j];
      if (kind === 'use' || kind === 'data' || kind === 'rebind') {
        if ((state.get(v as string) ?? NAME_UNBOUND) === NAME_UNBOUND) ok = false;
      } else if (kind === 'bind') {
        if (state.get(v as string) === NAME_OPEN || binds.includes(v as string)) ok = false;
        binds.push(v as string);
      } else if (kind === 'str') {
        if (strBytes + (v as Uint8Array).length > LIMITS.maxStringBytes) ok = false;
      }
    });
    if (!ok) continue;
    const fresh = new Set<string>();
    for (const v of o.operands) if (typeof v === 'string' && !state.has(v)) fresh.add(v);
    if (fresh.size && state.size + fresh.size > LIMITS.maxSlots) continue;
    for (const v of o.operands) if (v instanceof Uint8Array) strBytes += v.length;
    for (const b of binds) state.set(b, NAME_OPEN);
    if (o.code === Op.dup2) state.set(o.operands[1] as string, NAME_OPEN);
    if (o.code === Op.close) state.set(o.operands[0] as string, NAME_CLOSED);
    out.push(o);
  }
  return out;
}

/** True when `repair` would keep every op unchanged. */
export function isValid(ops: readonly SeqOp[]): boolean {
  const r = repair(ops);
  return r.length === ops.length && r.every((o, i) => o.code === ops[i].code);
}

const NO_SPAN: Span = { line: 0, col: 0, offset: 0, end: 0 };

/** A Program around a sequence (no source, no expectations): what the printer takes. */
export function toProgram(s: Seq, file = 'fuzz.epl', title = 'fuzz'): Program {
  const steps: Step[] = [];
  for (let i = 0; i < seqLength(s); i++) steps.push({ span: NO_SPAN, end: 0, setup: false });
  return { file, title, index: 0, code: s.code, strings: s.strings, slotCount: s.slotCount, names: s.names, steps };
}

/** A sequence from a compiled Program (keeps its names). */
export function fromProgram(p: Program): Seq {
  return { code: p.code, strings: p.strings, slotCount: p.slotCount, names: p.names };
}

/** A copy whose buffers can be transferred to a worker while the original is kept. */
export function copySeq(s: Seq): Seq {
  return { code: s.code.slice(), strings: s.strings.slice(), slotCount: s.slotCount, names: s.names };
}

/** Mnemonic of op `i`. */
export function opNameAt(s: ProgramCode, i: number): string {
  return opSpec(s.code[i * OP_WORDS])?.name ?? `op${s.code[i * OP_WORDS]}`;
}

/** A stable 32-bit hash of a sequence's code, strings and names (for file names and dedup). */
export function seqHash(s: Seq): string {
  let h = 0x811c9dc5;
  const mix = (x: number): void => {
    h ^= x;
    h = Math.imul(h, 0x01000193);
  };
  for (const x of s.code) mix(x);
  for (const x of s.strings) mix(x);
  for (const n of s.names) for (let i = 0; i < n.length; i++) mix(n.charCodeAt(i));
  return (h >>> 0).toString(16).padStart(8, '0');
}
