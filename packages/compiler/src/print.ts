// print(): a Program back to canonical .epl text, such that compiling the text gives the same
// code, strings, names and expectations (the round trip the tests and the fuzzer rely on).
// One statement per line, expectations appended, defaults left out.
import {
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
  type ResultExpect,
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
  const spec = opSpec(word(p, i, 0));
  if (!spec) throw new Error(`print: op ${i} has unknown opcode ${word(p, i, 0)}`);
  const w = (k: number) => word(p, i, k);
  const nm = (k: number) => names[w(k)] ?? badSlot(w(k));
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
      text = w(2) === 0 ? `eventfd ${nm(1)}` : `eventfd ${nm(1)} ${w(2)}`;
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
      text = `wait ${nm(1)}${w(2) === 64 ? '' : ` max ${w(2)}`}${w(3) === 0 ? '' : ` timeout ${w(3)}`}`;
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
      text = w(2) === 1024 ? `read ${nm(1)}` : `read ${nm(1)} ${w(2)}`;
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
  const step = p.steps[i];
  if (step?.expect) text += ` => ${result(step.expect, names)}`;
  if (step?.wire) text += ` ~> ${wire(step.wire, names)}`;
  return text;
}

function badSlot(slot: number): never {
  throw new Error(`print: slot ${slot} has no name`);
}

function result(e: ResultExpect, names: readonly string[]): string {
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
      // An empty ready list means what `none` means.
      if (e.entries.length === 0) return 'none';
      return e.entries.map((x) => `${names[x.slot] ?? badSlot(x.slot)}: ${formatEpollFlags(x.events)}`).join(', ');
  }
}

function wire(e: WireExpect, names: readonly string[]): string {
  if (e.kind === 'none' || e.segments.length === 0) return 'none';
  return e.segments
    .map((g) => `${names[g.src] ?? badSlot(g.src)} > ${names[g.dst] ?? badSlot(g.dst)} ${formatTcpFlags(g.flags)}${g.len > 0 ? ` len ${g.len}` : ''}`)
    .join(', ');
}

const NAMED_ESCAPES: Readonly<Record<number, string>> = { 0x22: '\\"', 0x5c: '\\\\', 0x0a: '\\n', 0x09: '\\t', 0x0d: '\\r' };

/** A string literal for bytes: printable ASCII as is, a few named escapes, every other byte `\xHH`. */
export function quote(bytes: Uint8Array): string {
  let s = '"';
  for (const b of bytes) {
    const named = NAMED_ESCAPES[b];
    if (named) s += named;
    else if (b >= 0x20 && b < 0x7f) s += String.fromCharCode(b);
    else s += '\\x' + b.toString(16).padStart(2, '0');
  }
  return s + '"';
}
