// @epl/report: every way a run is shown. Text (transcripts, failures), the JSON record, the
// steps where families differ, and `record`'s filled-in source, from a run's results; and, from
// JSON records (of this run or of any other, any machine, any kernel), a self-contained HTML
// timeline, JUnit XML and TAP. Reads results through the executor's view and verdicts from
// @epl/check; prints EPL with the compiler's printer.
export { transcript, stepLine, describeStep } from './transcript';
export type { TranscriptOptions } from './transcript';
export { observedResult, observedWire, opMakesTcp, MAX_RECORDED_READ } from './observed';
export { record, observedSuffix, firstTcpOp } from './record';
export { scenarioName, failureTexts, failureText, errorText, truncationText, scenarioText, firstAttempt } from './scenario';
export type { Scenario, Flaky } from './scenario';
export { toRecord, stepText, familyDifferences, failureSummaries } from './json';
export type { ScenarioRecord, StepRecord, FamilyDifference } from './json';
export {
  explainScenario,
  explainText,
  explainRecord,
  explainReportRecord,
  explainHeading,
  modelResultText,
  modelWireText,
  segmentReasons,
  stateLines,
  stepAgrees,
  whySentences,
} from './explain';
export type { ExplainOptions, ExplainedStep, Explanation, ExplainPaint, ExplainTextOptions, ExplainRecord, ExplainStepRecord } from './explain';
export { renderHtml, OPEN_ALL_MAX, OPEN_PROBLEMS_MAX } from './html';
export type { HtmlOptions } from './html';
export { renderJunit, xmlEscape } from './junit';
export type { JunitOptions } from './junit';
export { renderTap } from './tap';
export { groupRecords, summarize, recordStatus } from './group';
export type { Group, Status as RecordStatus, Summary } from './group';
export { stepVerdict } from './view';
export type { StepVerdict } from './view';
export type { AnyScenarioRecord, AnyStepRecord, SegmentRecord, Sources } from './records';
export { CHROMIUM_PATH, CHROMIUM_ARGS } from './chromium';
