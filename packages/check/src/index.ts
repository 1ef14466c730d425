// @epl/check: verdicts. A scenario's expectations against its results, read once through the
// executor's result view. Pure TypeScript: no transport, no text.
export { check, lost, stepVerdicts, resultHolds, wireHolds } from './check';
export type { Outcome, Status, Failure, StepVerdict } from './check';
