// @epl/model: an executable model of the kernel semantics epl exercises. predict() says what
// each step of a Program will answer, and why; compare() sets that against a kernel's run.
export { predict } from './predict';
export type { Prediction, StepPrediction, PredictOptions, ModelProgram, WaitAnswer } from './predict';
export { compare, firstDisagreement } from './compare';
export type { Agreement, Comparison, StepComparison } from './compare';
export type { Outcome } from './outcome';
export type { Range } from './bytes';
export type { Reported } from './epoll';
export { Reason, reasonIds } from './why';
export type { ReasonObjects, PredictedSegment, BulkTransfer, WireItem } from './why';
export { isBulk } from './why';
export type { StateView, FdView, FileView, RegistrationView } from './view';
