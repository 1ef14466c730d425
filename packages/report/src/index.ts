// @epl/report: every way a run is shown. Text (transcripts, failures), the JSON record, the
// steps where families differ, and `record`'s filled-in source. Reads results through the
// executor's view and verdicts from @epl/check; prints EPL with the compiler's printer.
export { transcript, stepLine, describeStep } from './transcript';
export type { TranscriptOptions } from './transcript';
export { observedResult, observedWire, opMakesTcp, MAX_RECORDED_READ } from './observed';
export { record, observedSuffix, firstTcpOp } from './record';
export { scenarioName, failureTexts, failureText, errorText, truncationText, scenarioText, firstAttempt } from './scenario';
export type { Scenario, Flaky } from './scenario';
export { toRecord, stepText, familyDifferences, failureSummaries } from './json';
export type { ScenarioRecord, StepRecord, FamilyDifference } from './json';
