// @epl/report: reports of epl runs from their JSON records.
export { renderHtml, OPEN_ALL_MAX, OPEN_PROBLEMS_MAX } from './html';
export type { HtmlOptions } from './html';
export { renderJunit, xmlEscape } from './junit';
export type { JunitOptions } from './junit';
export { renderTap } from './tap';
export { groupRecords, summarize, recordStatus } from './group';
export type { Group, Status, Summary } from './group';
export { stepVerdict } from './view';
export type { StepVerdict } from './view';
export type { ScenarioRecord, StepRecord, SegmentRecord, Sources } from './record';
export { CHROMIUM_PATH, CHROMIUM_ARGS } from './chromium';
