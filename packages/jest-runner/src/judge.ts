// One scenario's verdict as a jest test. The runner's `check` decides and its
// `formatFailures` writes the text, so a failure reads the same under jest as under
// `epl run`: located and quoted step, expected vs got, transcript up to the step.
import type { Program, RunResult } from '@epl/program';
import { check, formatFailures, type Attempt, type CheckResult, type ScenarioReport } from '@epl/runner';
import type { ScenarioOutcome } from './report';

export interface Verdict extends Pick<ScenarioOutcome, 'status' | 'message' | 'details'> {
  /** `~>` expectations not compared because the wire was not captured (never a failure). */
  readonly wireUnchecked: number;
  /** Why the wire was not captured, when it was not. */
  readonly wireReason?: string;
}

/** The failure text of one attempt of a scenario (every failed expectation, then the error). */
export function attemptText(program: Program, attempt: Attempt, source: string): string {
  const { result, check: c } = attempt;
  const report: ScenarioReport = {
    file: program.file,
    title: program.title,
    index: program.index,
    family: result.family,
    program,
    result,
    check: c,
    pass: c.pass,
    attempts: 1,
  };
  return formatFailures(report, source);
}

/** A scenario's run: its result, and its check when the caller has it already. */
export interface Outcome {
  /** Read only when the verdict needs it (a failure, an unchecked wire): a pool decodes on read. */
  readonly result: RunResult;
  readonly check?: CheckResult;
}

/**
 * `source` is the file's text (failures quote their line); `outcome` undefined means the pool
 * never answered for this scenario, which is a failure too, never a silent pass. A pass with its
 * check given never reads `outcome.result`.
 */
export function judge(program: Program, outcome: Outcome | undefined, source: string): Verdict {
  if (!outcome) return { status: 'failed', message: `${program.file}: scenario "${program.title}" got no result from the pool`, wireUnchecked: 0 };
  const c = outcome.check ?? check(program, outcome.result);
  const reason = c.wireUnchecked > 0 ? outcome.result.wire.reason : undefined;
  const wire = { wireUnchecked: c.wireUnchecked, ...(reason ? { wireReason: reason } : {}) };
  if (c.pass) return { status: 'passed', ...wire };
  return {
    status: 'failed',
    message: attemptText(program, { result: outcome.result, check: c }, source),
    details: { failures: c.failures, ...(c.error !== undefined ? { error: c.error } : {}) },
    ...wire,
  };
}
