// Plain-text views of a record for CI reports (JUnit, TAP): the located failure lines and a
// transcript-like list of the steps.
import type { AnyScenarioRecord, AnyStepRecord } from './records';
import { stepVerdict, wireText } from './view';

/** One failed expectation of a record, located. */
export interface FailureText {
  /** `file:line:col` */
  readonly at: string;
  readonly statement: string;
  readonly arrow: '=>' | '~>';
  readonly expected: string;
  readonly got: string;
}

/** Every failed expectation of a record, in step order. */
export function failuresOf(r: AnyScenarioRecord): FailureText[] {
  const out: FailureText[] = [];
  for (const s of r.steps) {
    if (s.pass) continue;
    const v = stepVerdict(s);
    const at = `${r.file}:${s.line}:${s.col}`;
    if (v.result === 'fail') out.push({ at, statement: s.op, arrow: '=>', expected: s.expect ?? '', got: s.got });
    if (v.wire === 'fail') out.push({ at, statement: s.op, arrow: '~>', expected: s.wireExpect ?? '', got: wireText(s.wire) });
  }
  return out;
}

/** `file:line:col: scenario "title" [family]: => expectation failed` and the expected/got lines (model and kernel in explain's records). */
export function formatFailureText(r: AnyScenarioRecord, f: FailureText): string {
  if (r.oracle === 'model')
    return `${f.at}: scenario "${r.title}" [${r.family}]: ${f.arrow} the model and the kernel disagree\n  ${f.statement}\n  model:  ${f.arrow} ${f.expected}\n  kernel: ${f.arrow} ${f.got}`;
  return `${f.at}: scenario "${r.title}" [${r.family}]: ${f.arrow} expectation failed\n  ${f.statement}\n  expected: ${f.arrow} ${f.expected}\n  got:      ${f.arrow} ${f.got}`;
}

/** Where a record's error happened: the step after the last one that ran, or the file. */
export function errorAt(r: AnyScenarioRecord): string {
  const last = r.steps[r.steps.length - 1];
  return last ? `${r.file}:${last.line}:${last.col}` : r.file;
}

function stepLine(s: AnyStepRecord, width: number, want: string): string {
  const v = stepVerdict(s);
  const failed = v.result === 'fail' || v.wire === 'fail';
  const mark = failed ? 'FAIL' : v.wire === 'unchecked' ? 'UNCK' : '    ';
  const at = `${s.line}:${s.col}`.padEnd(7);
  let line = `${mark} ${at} ${s.op.padEnd(width)}  => ${s.got}`;
  if (v.result === 'fail') line += `   (${want} => ${s.expect ?? ''})`;
  const segs = s.wire ?? [];
  for (const g of segs) line += `\n${' '.repeat(13)}${g.src} > ${g.dst} [${g.flags}]${g.len ? ` len ${g.len}` : ''}`;
  if (v.wire === 'fail') line += `\n${' '.repeat(13)}(${want} ~> ${s.wireExpect ?? ''})`;
  if (v.wire === 'unchecked') line += `\n${' '.repeat(13)}(~> ${s.wireExpect ?? ''} not checked: wire not captured)`;
  return line;
}

/**
 * The steps of a record, one per line as `line:col statement => got`, segments beneath,
 * FAIL before a failed step with what was expected, setup and scenario under their headings.
 */
export function stepList(r: AnyScenarioRecord): string {
  const width = Math.min(40, Math.max(0, ...r.steps.map((s) => s.op.length)));
  const out: string[] = [];
  let part: string | undefined;
  for (const s of r.steps) {
    const now = s.setup === undefined ? undefined : s.setup ? 'setup:' : 'scenario:';
    if (now !== undefined && now !== part) out.push(now);
    part = now;
    out.push(stepLine(s, width, r.oracle === 'model' ? 'model' : 'expected'));
  }
  if (r.error !== undefined) out.push(`ERROR did not complete: ${r.error}`);
  if (!r.wire.captured) out.push(`(wire not captured${r.wire.reason ? `: ${r.wire.reason}` : ''})`);
  return out.join('\n');
}

/** The one-line name of a record: `title [family]`, with the kernel when asked. */
export function runName(r: AnyScenarioRecord, withKernel: boolean): string {
  return `${r.title} [${r.family}]${withKernel ? ` (${r.kernel})` : ''}`;
}
