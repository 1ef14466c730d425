// The opcode table: the single source of truth for the compiler, the printer, the fuzzer
// and the native executor (packages/executor/src/native/opcodes.h mirrors it; a test there
// proves the two agree). Append new opcodes at the end: numbers are part of saved Programs.

/**
 * What one operand word (or two, for `str`) of an op means.
 * - `bind`: a slot the op binds to a new descriptor (a name that must not be open).
 * - `rebind`: a slot that must already have a number (dup2's target).
 * - `use`: a slot whose current number is passed to the kernel (open or stale).
 * - `data`: a slot whose index becomes epoll `data.u64` (any name, bound or not).
 * - `int`: a signed 32-bit integer passed through (the kernel validates it).
 * - `flags`: an epoll event mask (uint32 stored in an int32 word).
 * - `how`: a shutdown mode (SHUT_RD=0, SHUT_WR=1, SHUT_RDWR=2, or any int).
 * - `count`: a byte count, 0..LIMITS.maxIoBytes.
 * - `ms`: milliseconds, 0..LIMITS.maxSleepMs.
 * - `seconds`: linger seconds, 0..LIMITS.maxLingerSeconds.
 * - `max`: epoll_wait maxevents, any int up to LIMITS.maxWaitEvents (0/negative reach the kernel).
 * - `str`: two words, byte offset and length into the Program's string table.
 */
export type OperandKind = 'bind' | 'rebind' | 'use' | 'data' | 'int' | 'flags' | 'how' | 'count' | 'ms' | 'seconds' | 'max' | 'str';

export interface OpSpec {
  /** Opcode number stored in word 0 of the op. */
  readonly code: number;
  /** Mnemonic: the EPL statement keyword, except connect_new/write_n/send_oob (printed as connect/write/send). */
  readonly name: string;
  /** Operand kinds in word order (a `str` takes two words). */
  readonly operands: readonly OperandKind[];
}

/** Words per op: the opcode plus up to five operand words. Fixed width keeps validation trivial. */
export const OP_WORDS = 6;

export const OPS = [
  { code: 1, name: 'tcp', operands: ['bind', 'bind'] },
  { code: 2, name: 'tcp6', operands: ['bind', 'bind'] },
  { code: 3, name: 'unix', operands: ['bind', 'bind'] },
  { code: 4, name: 'socket', operands: ['bind'] },
  { code: 5, name: 'pair', operands: ['bind', 'bind'] },
  { code: 6, name: 'pipe', operands: ['bind', 'bind'] },
  { code: 7, name: 'eventfd', operands: ['bind', 'int'] },
  { code: 8, name: 'listen', operands: ['bind'] },
  /** `connect A L` where A is not open: a new socket of L's family is bound to A. */
  { code: 9, name: 'connect_new', operands: ['bind', 'use'] },
  /** `connect A L` where A is open (normally a bare `socket A`). */
  { code: 10, name: 'connect', operands: ['use', 'use'] },
  { code: 11, name: 'accept', operands: ['use', 'bind'] },
  { code: 12, name: 'epoll', operands: ['bind'] },
  { code: 13, name: 'dup', operands: ['use', 'bind'] },
  { code: 14, name: 'dup2', operands: ['use', 'rebind'] },
  { code: 15, name: 'add', operands: ['use', 'use', 'flags', 'data'] },
  { code: 16, name: 'mod', operands: ['use', 'use', 'flags', 'data'] },
  { code: 17, name: 'del', operands: ['use', 'use'] },
  { code: 18, name: 'wait', operands: ['use', 'max', 'ms'] },
  { code: 19, name: 'close', operands: ['use'] },
  { code: 20, name: 'shutdown', operands: ['use', 'how'] },
  { code: 21, name: 'write', operands: ['use', 'str'] },
  { code: 22, name: 'write_n', operands: ['use', 'count'] },
  { code: 23, name: 'read', operands: ['use', 'count'] },
  { code: 24, name: 'send_oob', operands: ['use', 'str'] },
  { code: 25, name: 'fill', operands: ['use'] },
  { code: 26, name: 'drain', operands: ['use'] },
  { code: 27, name: 'linger', operands: ['use', 'seconds'] },
  { code: 28, name: 'sleep', operands: ['ms'] },
] as const satisfies readonly OpSpec[];

export type OpName = (typeof OPS)[number]['name'];

/** Opcode numbers by mnemonic: `Op.tcp === 1`. */
export const Op = Object.fromEntries(OPS.map((o) => [o.name, o.code])) as { readonly [K in OpName]: number };

const byCode: (OpSpec | undefined)[] = [];
for (const o of OPS) byCode[o.code] = o;

/** The spec of an opcode, or undefined for a number that is not one. */
export function opSpec(code: number): OpSpec | undefined {
  return byCode[code];
}

/** Number of operand words an op uses (a `str` operand takes two). */
export function operandWords(spec: OpSpec): number {
  return spec.operands.reduce((n, k) => n + (k === 'str' ? 2 : 1), 0);
}

/** Ops that bind names (creating statements): their result is `ok` or an errno. */
export function isCreating(spec: OpSpec): boolean {
  return spec.operands.includes('bind') || spec.name === 'dup2';
}
