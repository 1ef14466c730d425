// One scenario's verdict as a jest test. The runner's `check` decides and its
// `formatFailure` / `formatError` write the text, so a failure reads the same under jest
// as under `epl run`: located and quoted step, expected vs got, transcript up to the step.
import type { Program, RunResult } from '@epl/program';
import { check, formatError, formatFailure, type ScenarioReport } from '@epl/runner';
import type { ScenarioOutcome } from './report';

export interface Verdict extends Pick<ScenarioOutcome, 'status' | 'message' | 'details'> {
  /** `~>` expectations not compared because the wire was not captured (never a failure). */
  readonly wireUnchecked: number;
  /** Why the wire was not captured, when it was not. */
  readonly wireReason?: string;
}

/**
 * `source` is the file's text (failures quote their line); `result` undefined means the pool
 * never answered for this scenario, which is a failure too, never a silent pass.
 */
export function judge(program: Program, result: RunResult | undefined, source: string): Verdict {
  if (!result) return { status: 'failed', message: `${program.file}: scenario "${program.title}" got no result from the pool`, wireUnchecked: 0 };
  const c = check(program, result);
  const wire = { wireUnchecked: c.wireUnchecked, ...(c.wireUnchecked > 0 && result.wire.reason ? { wireReason: result.wire.reason } : {}) };
  if (c.pass) return { status: 'passed', ...wire };
  const report: ScenarioReport = { file: program.file, title: program.title, index: program.index, family: result.family, program, result, check: c, pass: false };
  const parts = c.failures.map((f) => formatFailure(report, f, source).trimEnd());
  if (c.error !== undefined) parts.push(formatError(report).trimEnd());
  return {
    status: 'failed',
    message: parts.join('\n\n'),
    details: { failures: c.failures, ...(c.error !== undefined ? { error: c.error } : {}) },
    ...wire,
  };
}
