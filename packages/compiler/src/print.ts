// The one printer of EPL: a Program back to canonical .epl text, such that compiling the text
// gives the same code, strings, names and expectations (the round trip the tests and the fuzzer
// rely on), and the pieces every report writes with (a statement, an expectation, a ready list,
// segments, bytes). One statement per line, expectations appended, defaults left out.
import {
  DEFAULTS,
  errnoName,
  errnoNumber,
  formatEpollFlags,
  formatShutMode,
  formatTcpFlags,
  opCount,
  opSpec,
  stringOperand,
  word,
  type Program,
  type ProgramCode,
  type ReadyEntry,
  type ResultExpect,
  type Segment,
  type SegmentExpect,
  type WireExpect,
} from '@epl/program';
import { isName } from '@epl/dsl';

/** Canonical .epl text of a Program. Throws an Error for a Program no source could produce (a slot name that is not a name, an unknown opcode). */
export function print(p: Program): string {
  const names = p.names.map((n) => {
    if (!isName(n)) throw new Error(`print: slot name '${n}' is not a valid EPL name`);
    return n;
  });
  const lines: string[] = [];
  const n = opCount(p);
  const setupCount = leadingSetup(p, n);
  if (setupCount > 0) {
    for (let i = 0; i < setupCount; i++) lines.push(statement(p, i, names));
    lines.push(`scenario ${quote(new TextEncoder().encode(p.title))} {`);
    for (let i = setupCount; i < n; i++) lines.push('  ' + statement(p, i, names));
    lines.push('}');
  } else {
    lines.push(`# ${p.title.replace(/[\r\n]/g, ' ')}`);
    for (let i = 0; i < n; i++) lines.push(statement(p, i, names));
  }
  return lines.join('\n') + '\n';
}

function leadingSetup(p: Program, n: number): number {
  let i = 0;
  while (i < n && p.steps[i]?.setup) i++;
  return i;
}

/** One op with its expectations. */
function statement(p: Program, i: number, names: readonly string[]): string {
  let text = printStatement(p, i, names, badSlot);
  const step = p.steps[i];
  if (step?.expect) text += ` => ${printResult(names, step.expect, badSlot)}`;
  if (step?.wire) text += ` ~> ${printWire(names, step.wire, badSlot)}`;
  return text;
}

/** The name of a slot for a report: its name, or `#N` for a slot the Program does not name. */
function anySlot(slot: number): string {
  return `#${slot}`;
}

/**
 * Op `i` as a statement, without its expectations (`wait 3`, `dup 5 -> 7`, `write 6 "a"`).
 * `names[slot]` names each slot; `unnamed` answers for a slot without a name (reports print
 * `#N`; `print` refuses).
 */
export function printStatement(p: ProgramCode, i: number, names: readonly string[], unnamed: (slot: number) => string = anySlot): string {
  const spec = opSpec(word(p, i, 0));
  if (!spec) throw new Error(`print: op ${i} has unknown opcode ${word(p, i, 0)}`);
  const w = (k: number) => word(p, i, k);
  const nm = (k: number) => names[w(k)] ?? unnamed(w(k));
  let text: string;
  switch (spec.name) {
    case 'tcp':
    case 'tcp6':
    case 'unix':
    case 'pair':
    case 'pipe':
    case 'del':
      text = `${spec.name} ${nm(1)} ${nm(2)}`;
      break;
    case 'connect':
    case 'connect_new':
      text = `connect ${nm(1)} ${nm(2)}`;
      break;
    case 'socket':
    case 'listen':
    case 'epoll':
    case 'close':
    case 'fill':
    case 'drain':
      text = `${spec.name} ${nm(1)}`;
      break;
    case 'eventfd':
      text = w(2) === DEFAULTS.eventfdInit ? `eventfd ${nm(1)}` : `eventfd ${nm(1)} ${w(2)}`;
      break;
    case 'accept':
    case 'dup':
    case 'dup2':
      text = `${spec.name} ${nm(1)} -> ${nm(2)}`;
      break;
    case 'add':
    case 'mod':
      text = `${spec.name} ${nm(1)} ${nm(2)} ${formatEpollFlags(w(3))}${w(4) === w(2) ? '' : ` data ${nm(4)}`}`;
      break;
    case 'wait':
      text = `wait ${nm(1)}${w(2) === DEFAULTS.waitMax ? '' : ` max ${w(2)}`}${w(3) === DEFAULTS.waitTimeoutMs ? '' : ` timeout ${w(3)}`}`;
      break;
    case 'shutdown':
      text = `shutdown ${nm(1)} ${formatShutMode(w(2))}`;
      break;
    case 'write':
      text = `write ${nm(1)} ${quote(stringOperand(p, i, 2))}`;
      break;
    case 'write_n':
      text = `write ${nm(1)} ${w(2)}`;
      break;
    case 'read':
      text = w(2) === DEFAULTS.readBytes ? `read ${nm(1)}` : `read ${nm(1)} ${w(2)}`;
      break;
    case 'send_oob':
      text = `send ${nm(1)} ${quote(stringOperand(p, i, 2))} oob`;
      break;
    case 'linger':
      text = `linger ${nm(1)} ${w(2)}`;
      break;
    case 'sleep':
      text = `sleep ${w(1)}`;
      break;
    default:
      throw new Error(`print: no syntax for op ${spec.name}`);
  }
  return text;
}

function badSlot(slot: number): never {
  throw new Error(`print: slot ${slot} has no name`);
}

/** A `=>` value as it is written (`ok`, `3`, `EPIPE`, `"a"`, `5: IN|OUT, 6: OUT`, `none`). */
export function printResult(names: readonly string[], e: ResultExpect, unnamed: (slot: number) => string = anySlot): string {
  switch (e.kind) {
    case 'ok':
      return 'ok';
    case 'none':
      return 'none';
    case 'number':
      return String(e.value);
    case 'errno': {
      if (errnoNumber(e.name) === e.code) return e.name;
      const name = errnoName(e.code);
      if (errnoNumber(name) !== e.code) throw new Error(`print: errno ${e.code} has no name`);
      return name;
    }
    case 'bytes':
      return quote(e.value);
    case 'ready':
      return printReady(names, e.entries, unnamed);
  }
}

/** A ready list as a `=>` value: `5: IN|OUT, 6: OUT`, or `none` when empty. */
export function printReady(names: readonly string[], entries: readonly ReadyEntry[], unnamed: (slot: number) => string = anySlot): string {
  if (entries.length === 0) return 'none';
  return entries.map((x) => `${names[x.slot] ?? unnamed(x.slot)}: ${formatEpollFlags(x.events)}`).join(', ');
}

/** A `~>` value: `none`, or the segments in order (`5 > 6 F.`, `6 > 5 P. len 1`). */
export function printWire(names: readonly string[], e: WireExpect, unnamed: (slot: number) => string = anySlot): string {
  return e.kind === 'none' ? 'none' : printSegments(names, e.segments, unnamed);
}

/** Segments as a `~>` value: `none`, or `A > B FLAGS [len N]`, comma-separated. */
export function printSegments(names: readonly string[], segments: readonly (Segment | SegmentExpect)[], unnamed: (slot: number) => string = anySlot): string {
  if (segments.length === 0) return 'none';
  return segments
    .map((g) => `${names[g.src] ?? unnamed(g.src)} > ${names[g.dst] ?? unnamed(g.dst)} ${formatTcpFlags(g.flags)}${g.len > 0 ? ` len ${g.len}` : ''}`)
    .join(', ');
}

const NAMED_ESCAPES: Readonly<Record<number, string>> = { 0x22: '\\"', 0x5c: '\\\\', 0x0a: '\\n', 0x09: '\\t', 0x0d: '\\r' };

/**
 * A string literal for bytes: printable ASCII as is, a few named escapes, every other byte
 * `\xHH` (EPL's `\x` takes at most two digits, so `\x00` then `a` reads back as two bytes).
 * With `max`, at most that many bytes, then `...` after the closing quote.
 */
export function quote(bytes: Uint8Array, max = Infinity): string {
  let s = '"';
  const n = Math.min(bytes.length, max);
  for (let i = 0; i < n; i++) {
    const b = bytes[i];
    const named = NAMED_ESCAPES[b];
    if (named) s += named;
    else if (b >= 0x20 && b < 0x7f) s += String.fromCharCode(b);
    else s += '\\x' + HEX[b >> 4] + HEX[b & 15];
  }
  s += '"';
  return n < bytes.length ? s + '...' : s;
}

const HEX = '0123456789abcdef';
