// What a step observed, in EPL syntax, so that what a report shows can be pasted back into a
// script (`=> 5: IN|OUT, 6: OUT`, `~> 6 > 5 P. len 1`, `=> "a"`). The printing is the
// compiler's (one printer); this module only decides what to print.
import { printReady, printSegments, quote } from '@epl/compiler';
import { Op, errnoName, isCreating, opSpec, word } from '@epl/program';
import type { Program, ResultExpect, StepResult } from '@epl/program';

/** Reads longer than this are shown (and recorded) as a count, not as a string. */
export const MAX_RECORDED_READ = 256;

/**
 * What op `i` returned, as a `=>` that would pass: an errno name, `ok` for a creating
 * statement, the ready list (or `none`) for `wait`, the bytes for a short `read`, else the
 * number. `like` asks for the shape of an expectation where the result allows it (a `read`
 * checked by count shows its count).
 */
export function observedResult(program: Program, i: number, r: StepResult, like?: ResultExpect): string {
  if (r.errno !== 0) return errnoName(r.errno);
  const code = word(program, i, 0);
  if (code === Op.wait) return printReady(program.names, r.ready ?? []);
  if (code === Op.read) {
    const bytes = r.bytes ?? new Uint8Array(0);
    if (like?.kind === 'number' || (like?.kind !== 'bytes' && bytes.length > MAX_RECORDED_READ)) return String(r.ret);
    return quote(bytes);
  }
  const spec = opSpec(code);
  if (spec && isCreating(spec) && code !== Op.connect_new) return r.ret === 0 ? 'ok' : String(r.ret);
  if (like?.kind === 'ok' && r.ret === 0) return 'ok';
  return String(r.ret);
}

/** What op `i` put on the wire, as a `~>` that would pass. */
export function observedWire(program: Program, r: StepResult): string {
  return printSegments(program.names, r.wire);
}

/** Whether op `i`'s result with this family is decided by TCP (so a `~>` says something). */
export function opMakesTcp(code: number, family: string): boolean {
  return code === Op.tcp || code === Op.tcp6 || code === Op.socket || code === Op.listen || code === Op.connect_new || (code === Op.pair && family !== 'unix');
}
