// One scenario's verdict as a jest test. @epl/check decides and @epl/report writes the text,
// so a failure reads the same under jest as under `epl run`: located and quoted step, expected
// vs got, transcript up to the step.
import type { ScenarioRun } from '@epl/runner';
import { failureSummaries, firstAttempt, scenarioText } from '@epl/report';
import type { ScenarioOutcome } from './report';

export interface Verdict {
  readonly outcome: Omit<ScenarioOutcome, 'title'>;
  /** `~>` expectations not compared because the wire was not captured (never a failure). */
  readonly wireUnchecked: number;
  /** Why the wire was not captured, when it was not. */
  readonly wireReason?: string;
  /** For a pass after a failure: the first attempt's failed expectations. */
  readonly flaky?: ReturnType<typeof failureSummaries>;
}

/** `source` is the file's text (failures quote their line). */
export function judge(s: ScenarioRun, source: string, retries: number): Verdict {
  const o = s.outcome;
  const wire = { wireUnchecked: o.wireUnchecked, ...(o.wireUnchecked > 0 && o.captureReason ? { wireReason: o.captureReason } : {}) };
  const first = firstAttempt(s);
  const flaky = first ? { flaky: failureSummaries(first) } : {};
  // Each attempt before the last, as jest-circus reports a retried test.
  const reasons = (s.earlier ?? []).map((a) => scenarioText({ ...s, outcome: a.outcome, view: a.view, attempts: 1, flaky: undefined }, source));
  const retried = reasons.length ? { attempts: s.attempts, retryReasons: reasons } : {};
  if (o.status === 'passed') return { outcome: { status: 'passed', ...retried }, ...wire, ...flaky };
  let message = scenarioText(s, source);
  if (s.attempts > 1) message += `\n\n(failed all ${s.attempts} attempts, retries: ${retries}; the last is shown)`;
  const details = { status: o.status, failures: failureSummaries(s), ...(o.error !== undefined ? { error: o.error } : {}) };
  return { outcome: { status: 'failed', message, details, ...retried }, ...wire };
}
