// The Program: one scenario (setup + block) lowered to plain, transferable data.
// See this package's README for the format.
import { LIMITS } from './limits';
import { OP_WORDS, Op, OpName, opSpec, OPS } from './opcodes';

/** Where a piece of source text is. Lines and columns count from 1; offsets from 0 (UTF-16 units). */
export interface Span {
  readonly line: number;
  readonly col: number;
  readonly offset: number;
  /** Offset just past the end. */
  readonly end: number;
}

/** What a step's `=>` expects. `ok` means a return of 0 (for creating statements: success). */
export type ResultExpect =
  | { readonly kind: 'ok' }
  | { readonly kind: 'number'; readonly value: number }
  | { readonly kind: 'errno'; readonly name: string; readonly code: number }
  | { readonly kind: 'bytes'; readonly value: Uint8Array }
  | { readonly kind: 'ready'; readonly entries: readonly ReadyEntry[] }
  | { readonly kind: 'none' };

/** One entry of a ready list: the slot named by the registration's data, and its events. */
export interface ReadyEntry {
  readonly slot: number;
  readonly events: number;
}

/** One TCP segment: endpoints are slots of the names that created the sockets. `len` is payload bytes. */
export interface SegmentExpect {
  readonly src: number;
  readonly dst: number;
  readonly flags: number;
  readonly len: number;
}

/** What a step's `~>` expects: no segment, or these segments in this order. */
export type WireExpect = { readonly kind: 'none' } | { readonly kind: 'segments'; readonly segments: readonly SegmentExpect[] };

/** Per op: where it came from and what it expects. `steps[i]` describes op `i`. */
export interface Step {
  /** The statement, from its keyword to its last operand (expectations excluded). */
  readonly span: Span;
  /** End offset of the whole step including any expectations: where `record` inserts text. */
  readonly end: number;
  /** True for a statement of the file's setup (shared by every scenario). */
  readonly setup: boolean;
  readonly expect?: ResultExpect;
  readonly expectSpan?: Span;
  readonly wire?: WireExpect;
  readonly wireSpan?: Span;
}

/**
 * The part of a Program the executor needs, all typed arrays: safe to transfer to a worker.
 * `code` holds `OP_WORDS` int32 words per op: the opcode then its operand words.
 */
export interface ProgramCode {
  readonly code: Int32Array;
  readonly strings: Uint8Array;
  readonly slotCount: number;
}

export interface Program extends ProgramCode {
  /** The file it came from (as given to the compiler). */
  readonly file: string;
  /** Scenario title; a file without blocks is one scenario named after the file. */
  readonly title: string;
  /** Index of the scenario in its file. */
  readonly index: number;
  /** Name of each slot, as written in the script. */
  readonly names: readonly string[];
  readonly steps: readonly Step[];
}

/** Number of ops in a Program. */
export function opCount(p: ProgramCode): number {
  return p.code.length / OP_WORDS;
}

/** Word `w` (0 = opcode) of op `i`. */
export function word(p: ProgramCode, i: number, w: number): number {
  return p.code[i * OP_WORDS + w];
}

/** The bytes of a `str` operand that starts at word `w` of op `i`. */
export function stringOperand(p: ProgramCode, i: number, w: number): Uint8Array {
  const off = word(p, i, w);
  return p.strings.subarray(off, off + word(p, i, w + 1));
}

const NO_SPAN: Span = { line: 0, col: 0, offset: 0, end: 0 };

/**
 * Builds a Program op by op with names given as text: for tests, the fuzzer and the compiler.
 * It checks operand shapes and limits, not the language's naming rules (the compiler does).
 */
export class ProgramBuilder {
  private readonly words: number[] = [];
  private readonly bytes: number[] = [];
  private readonly slots = new Map<string, number>();
  private readonly names: string[] = [];
  private readonly steps: Step[] = [];

  constructor(
    private readonly file = '<built>',
    private readonly title = '<built>',
    private readonly index = 0,
  ) {}

  /** The slot of a name, allocating one on first use. */
  slot(name: string): number {
    let s = this.slots.get(name);
    if (s === undefined) {
      s = this.names.length;
      if (s >= LIMITS.maxSlots) throw new RangeError(`more than ${LIMITS.maxSlots} names`);
      this.slots.set(name, s);
      this.names.push(name);
    }
    return s;
  }

  /** Put bytes in the string table; returns [offset, length]. */
  string(value: Uint8Array | string): [number, number] {
    const b = typeof value === 'string' ? Buffer.from(value, 'latin1') : value;
    const off = this.bytes.length;
    if (off + b.length > LIMITS.maxStringBytes) throw new RangeError(`string table over ${LIMITS.maxStringBytes} bytes`);
    for (const x of b) this.bytes.push(x);
    return [off, b.length];
  }

  /**
   * Append an op. Slot operands are names (strings); `str` operands are strings or bytes;
   * other operands are numbers. `step` carries the span and expectations.
   */
  op(name: OpName, operands: readonly (string | number | Uint8Array)[], step?: Partial<Step>): this {
    const spec = OPS.find((o) => o.name === name);
    if (!spec) throw new Error(`unknown op ${name}`);
    if (operands.length !== spec.operands.length) throw new Error(`${name} takes ${spec.operands.length} operands`);
    if (this.steps.length >= LIMITS.maxOps) throw new RangeError(`more than ${LIMITS.maxOps} ops`);
    const w: number[] = [Op[name]];
    spec.operands.forEach((kind, i) => {
      const v = operands[i];
      switch (kind) {
        case 'bind':
        case 'rebind':
        case 'use':
        case 'data':
          if (typeof v !== 'string') throw new Error(`${name} operand ${i} must be a name`);
          w.push(this.slot(v));
          break;
        case 'str':
          if (typeof v === 'number') throw new Error(`${name} operand ${i} must be a string`);
          w.push(...this.string(v));
          break;
        default:
          if (typeof v !== 'number') throw new Error(`${name} operand ${i} must be a number`);
          w.push(v | 0);
      }
    });
    while (w.length < OP_WORDS) w.push(0);
    this.words.push(...w);
    this.steps.push({ span: NO_SPAN, end: 0, setup: false, ...step });
    return this;
  }

  build(): Program {
    return {
      file: this.file,
      title: this.title,
      index: this.index,
      code: Int32Array.from(this.words),
      strings: Uint8Array.from(this.bytes),
      slotCount: this.names.length,
      names: [...this.names],
      steps: [...this.steps],
    };
  }
}

/** A copy of the executor's part of a Program, safe to transfer (the original keeps its buffers). */
export function programCode(p: ProgramCode): ProgramCode {
  return { code: p.code.slice(), strings: p.strings.slice(), slotCount: p.slotCount };
}

/** Mnemonic of op `i`, for messages. */
export function opName(p: ProgramCode, i: number): string {
  return opSpec(word(p, i, 0))?.name ?? `op${word(p, i, 0)}`;
}
