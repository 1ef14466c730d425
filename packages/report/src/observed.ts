// Renders observations and expectations in EPL syntax, so that what a report shows can be
// pasted back into a script (`=> 5: IN|OUT, 6: OUT`, `~> 6 > 5 P. len 1`, `=> "a"`).
import { Op, errnoName, formatEpollFlags, formatTcpFlags, isCreating, opSpec, word } from '@epl/program';
import type { Program, ReadyEntry, ResultExpect, Segment, SegmentExpect, StepResult, WireExpect } from '@epl/program';

/** Reads longer than this are rendered (and recorded) as a count, not as a string. */
export const MAX_RECORDED_READ = 256;

const HEX = '0123456789abcdef';

/**
 * An EPL string literal for bytes: printable ASCII as is, C escapes for the rest. EPL's `\x`
 * takes at most two hex digits, so `\x00` followed by `a` reads back as two bytes.
 */
export function quoteBytes(bytes: Uint8Array, max = Infinity): string {
  let s = '"';
  const n = Math.min(bytes.length, max);
  for (let i = 0; i < n; i++) {
    const b = bytes[i];
    if (b === 0x22) s += '\\"';
    else if (b === 0x5c) s += '\\\\';
    else if (b === 0x0a) s += '\\n';
    else if (b === 0x09) s += '\\t';
    else if (b === 0x0d) s += '\\r';
    else if (b >= 0x20 && b < 0x7f) s += String.fromCharCode(b);
    else s += '\\x' + HEX[b >> 4] + HEX[b & 15];
  }
  s += '"';
  return n < bytes.length ? s + '...' : s;
}

/** The script's name of a slot (`#N` for a slot the Program does not name). */
export function slotName(program: Pick<Program, 'names'>, slot: number): string {
  return program.names[slot] ?? `#${slot}`;
}

/** `5: IN|OUT, 6: OUT`, or `none` for an empty list. */
export function formatReady(program: Pick<Program, 'names'>, entries: readonly ReadyEntry[]): string {
  if (entries.length === 0) return 'none';
  return entries.map((e) => `${slotName(program, e.slot)}: ${formatEpollFlags(e.events)}`).join(', ');
}

/** `5 > 6 F.`, `6 > 5 P. len 1`. */
export function formatSegment(program: Pick<Program, 'names'>, s: Segment | SegmentExpect): string {
  const base = `${slotName(program, s.src)} > ${slotName(program, s.dst)} ${formatTcpFlags(s.flags)}`;
  return s.len ? `${base} len ${s.len}` : base;
}

/** A step's observed wire in `~>` syntax: `none` or the segments in order. */
export function formatWire(program: Pick<Program, 'names'>, segments: readonly (Segment | SegmentExpect)[]): string {
  return segments.length === 0 ? 'none' : segments.map((s) => formatSegment(program, s)).join(', ');
}

/** A `=>` expectation as it would be written. */
export function formatExpect(program: Pick<Program, 'names'>, e: ResultExpect): string {
  switch (e.kind) {
    case 'ok':
      return 'ok';
    case 'number':
      return String(e.value);
    case 'errno':
      return e.name;
    case 'bytes':
      return quoteBytes(e.value);
    case 'ready':
      return formatReady(program, e.entries);
    case 'none':
      return 'none';
  }
}

/** A `~>` expectation as it would be written. */
export function formatWireExpect(program: Pick<Program, 'names'>, e: WireExpect): string {
  return e.kind === 'none' ? 'none' : formatWire(program, e.segments);
}

/**
 * What op `i` returned, as a `=>` that would pass: an errno name, `ok` for a creating
 * statement, the ready list (or `none`) for `wait`, the bytes for a short `read`, else the
 * number. `like` asks for the shape of an expectation where the result allows it (a `read`
 * checked by count shows its count).
 */
export function formatObserved(program: Program, i: number, r: StepResult, like?: ResultExpect): string {
  if (r.errno !== 0) return errnoName(r.errno);
  const code = word(program, i, 0);
  if (code === Op.wait) return formatReady(program, r.ready ?? []);
  if (code === Op.read) {
    const bytes = r.bytes ?? new Uint8Array(0);
    if (like?.kind === 'number' || (like?.kind !== 'bytes' && bytes.length > MAX_RECORDED_READ)) return String(r.ret);
    return quoteBytes(bytes);
  }
  const spec = opSpec(code);
  if (spec && isCreating(spec) && code !== Op.connect_new) return r.ret === 0 ? 'ok' : String(r.ret);
  if (like?.kind === 'ok' && r.ret === 0) return 'ok';
  return String(r.ret);
}

/** Whether the results of op `i` with this family are decided by TCP (so a `~>` says something). */
export function opMakesTcp(code: number, family: string): boolean {
  return code === Op.tcp || code === Op.tcp6 || code === Op.socket || code === Op.listen || code === Op.connect_new || (code === Op.pair && family !== 'unix');
}
